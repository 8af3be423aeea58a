#!/usr/bin/env bash
# Runs ChatTts.Edge with three emulated ChatTTS backends (webui, chattts-openai, forge) on in-memory
# defaults, then serves the playground at http://localhost:5080/. Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real speech needs espeak-ng; without it the emulator speaks in a synthetic voice.
if ! command -v espeak-ng >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ -z "${NO_INSTALL:-}" ]; then
    echo "demo: installing espeak-ng for real speech (set NO_INSTALL=1 to skip)"
    (apt-get update -qq && apt-get install -y -qq espeak-ng >/dev/null) || echo "demo: espeak-ng could not be installed; using the synthetic voice"
  else
    echo "demo: espeak-ng is not installed; the emulated backends use a synthetic voice"
  fi
fi

dotnet build -c Release -v q -nologo tests/ChatTts.Emulator
dotnet build -c Release -v q -nologo proxy/ChatTts.Edge.Proxy

dotnet tests/ChatTts.Emulator/bin/Release/net10.0/ChatTts.Emulator.dll \
  --instance webui:9701 --instance chattts-openai:9702 --instance forge:9703 &
emulator=$!
trap 'kill "$emulator" 2>/dev/null; wait "$emulator" 2>/dev/null || true' EXIT INT TERM

echo "demo: open http://localhost:5080/ in a browser"
cd proxy/ChatTts.Edge.Proxy/bin/Release/net10.0
ASPNETCORE_ENVIRONMENT=Demo dotnet ChatTts.Edge.Proxy.dll "$@"
