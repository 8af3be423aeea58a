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
#   nodejs, npm               node runs @apidevtools/swagger-parser on the edge's OpenAPI document in a test, the
#                             Kubernetes schema check on deploy/kubernetes, and OpenAI's official SDK against /v1/audio/speech
#   kubectl                   `kubectl kustomize` renders deploy/kubernetes offline (no cluster needed). This project's
#                             machines come with it; Debian's own archive has no such package, so a machine without it
#                             is told so, and the Kubernetes tests fail saying so, while every other package installs.
# Then, from the npm registry, the node packages of tests/tools/openapi, tests/tools/kubernetes and tests/tools/openai (versions pinned in
# their package-lock.json files), with `npm ci`, whenever they are missing or older than the lock file; this needs no root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# The node packages the OpenAPI and Kubernetes tests run; installed after the Debian packages, which may bring npm.
install_node_tools() {
  local status=0 tools
  for tools in "$root/tests/tools/openapi" "$root/tests/tools/kubernetes" "$root/tests/tools/openai"; do
    if [ -f "$tools/node_modules/.package-lock.json" ] && [ "$tools/node_modules/.package-lock.json" -nt "$tools/package-lock.json" ]; then
      continue
    fi
    if ! command -v npm >/dev/null 2>&1; then
      echo "install-deps: npm is missing, so ${tools#"$root"/} cannot be installed" >&2
      status=1
      continue
    fi
    echo "install-deps: npm ci in ${tools#"$root"/}"
    (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || status=1
  done
  return $status
}

# kubectl, on its own: where no package source has it, the other packages must still install.
install_kubectl() {
  command -v kubectl >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq || true
    if [ -n "$(apt-cache policy kubectl 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -v '(none)')" ]; then
      echo "install-deps: installing kubectl"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubectl >/dev/null && return 0
    fi
  fi
  echo "install-deps: kubectl is missing and no package source here offers it; the Kubernetes tests need it (kubectl kustomize)" >&2
  return 1
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
  status=0
  install_kubectl || status=$?
  install_node_tools || status=$?
  exit $status
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
install_kubectl || status=$?
install_node_tools || status=$?
exit $status
