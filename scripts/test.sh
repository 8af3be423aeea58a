#!/usr/bin/env bash
# Runs every test of ChatTts.Edge and ends with one line: "tests: N passed, N failed[, N skipped]".
# Installs what the tests use from Debian's packages when it runs as root (CI does; so can you).
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh || echo "test: could not install every test dependency; dependent tests fall back or skip"

results=artifacts/test-results
rm -rf "$results"
# Build every project first (dotnet test builds only the test projects and what they reference; the
# benchmarks and the load-test runner must compile too), then run the tests on that build.
if dotnet build ChatTts.Edge.sln -c Release; then
  dotnet test ChatTts.Edge.sln -c Release --no-build --logger "trx" --logger "console;verbosity=normal" --results-directory "$results"
  status=$?
else
  status=1
fi

passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  value() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  skipped=$((skipped + $(value notExecuted)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the build or the test host failed before any result was written
fi

# Name the failed tests, with the first lines of their messages, just above the summary line, so a
# log that keeps only its tail still says what failed.
if [ "$failed" -gt 0 ]; then
  python3 scripts/failed-tests.py "$results"/*.trx || true
fi

line="tests: $passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
