#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo use, when they are missing and we may install.
#   espeak-ng                 real speech in the ChatTTS emulator (otherwise a synthetic voice)
#   chromium, chromium-driver  the playground's real-browser test
#   redis-server              the quota store's integration tests (each test starts its own on a free port)
#   prometheus                promtool checks /metrics; a real Prometheus scrapes the edge in a test
#   docker-compose            validates compose/docker-compose.yml offline (v1; no container engine needed)
#   nginx, hey                the load tests' overhead scenario: nginx as the reference proxy, hey as an independent
#                             load tool (the package's own service is not started: see policy-rc.d below)
#   libxml2-utils             xmllint checks the load-test runner's junit.xml against loadtests/junit.xsd in a test
#   nodejs, npm               node runs @apidevtools/swagger-parser on the edge's OpenAPI document in a test
# Then, from the npm registry, the node packages of tests/tools/openapi (versions pinned in its package-lock.json), with
# `npm ci`, whenever they are missing or older than the lock file; this needs no root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# The node packages the OpenAPI test runs; installed after the Debian packages, which may bring npm.
install_node_tools() {
  local tools="$root/tests/tools/openapi"
  if [ -f "$tools/node_modules/.package-lock.json" ] && [ "$tools/node_modules/.package-lock.json" -nt "$tools/package-lock.json" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: npm is missing, so tests/tools/openapi cannot be installed" >&2
    return 1
  fi
  echo "install-deps: npm ci in tests/tools/openapi"
  (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

packages=()
command -v espeak-ng >/dev/null 2>&1 || packages+=(espeak-ng)
[ -x /usr/bin/chromium ] || packages+=(chromium)
[ -x /usr/bin/chromedriver ] || packages+=(chromium-driver)
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
command -v promtool >/dev/null 2>&1 || packages+=(prometheus)
[ -x /usr/bin/docker-compose ] || packages+=(docker-compose)
[ -x /usr/sbin/nginx ] || packages+=(nginx)
command -v hey >/dev/null 2>&1 || packages+=(hey)
command -v xmllint >/dev/null 2>&1 || packages+=(libxml2-utils)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
if [ ${#packages[@]} -eq 0 ]; then
  install_node_tools
  exit
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: missing ${packages[*]}; install them with apt-get (not root here)" >&2
  install_node_tools || true
  exit 1
fi
echo "install-deps: installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Debian starts a package's service on install (nginx would take port 80); the tests start their own servers on
# loopback ports they pick, so no service is started here.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && own_policy=true
fi
status=0
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null || status=$?
$own_policy && rm -f "$policy"
install_node_tools || status=$?
exit $status
