#!/usr/bin/env bash
# Usage: http-probe <port> <path>
# An HTTP health probe for images that have bash but neither curl nor wget (the .NET runtime images): sends
# GET <path> to 127.0.0.1:<port> through bash's /dev/tcp and succeeds only if the status is 2xx. Prints the
# status line, which `docker inspect` shows in the container's health log.
set -euo pipefail
port="$1"
path="$2"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
read -r -t "${HTTP_PROBE_TIMEOUT:-4}" version status reason <&3
echo "GET $path: $version $status ${reason%$'\r'}"
[[ "$status" == 2?? ]]
