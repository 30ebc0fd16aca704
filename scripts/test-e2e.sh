#!/usr/bin/env bash
# `npm run test:e2e`: end-to-end tests against real hawkBit servers, one at a time to spare memory
# and CPU. The pinned release runs the whole suite (test/e2e/**); the older compat release runs the
# raw-protocol part (test/e2e/ddi/**) and the agent smoke (test/e2e/agent/smoke-*). Each server is started once for its run (URL exported as
# HAWKBIT_URL) and stopped afterwards, also when a test fails or the run is interrupted.
# HAWKBIT_E2E_VERSIONS="V1 V2 …" overrides the versions (the first one gets the whole suite).
# Beside the pinned release a second server of that version runs with hawkBit's DoS filter on at its
# defaults (HAWKBIT_DOS_URL) for the fleet's test of the server's 429s (test/e2e/fleet/dos-filter.test.ts),
# unless the files named leave that test out.
# Then test/e2e/goosebit/** runs against two goosebit servers side by side (scripts/goosebit-server.sh:
# device auth off, exported as GOOSEBIT_URL/GOOSEBIT_DIR, and strict, as GOOSEBIT_STRICT_URL/
# GOOSEBIT_STRICT_DIR). E2E_SERVERS="hawkbit goosebit" (the default) chooses which of the two runs.
# Extra arguments go to ava (e.g. a file pattern or --match).
set -euo pipefail
cd "$(dirname "$0")/.."

# ava runs every file named on its command line, whatever the run's scope: so files named there
# choose the servers too (unless E2E_SERVERS is set): goosebit for test/e2e/goosebit/ files, hawkBit
# for the others.
default_servers="hawkbit goosebit"
named_goosebit=0 named_other=0 named_dos=0
for arg in "$@"; do
  case "$arg" in
    test/e2e/goosebit/*) named_goosebit=1 ;;
    test/*) named_other=1 ;;
  esac
  # The DoS-filter server is started only when its test may run: a pattern, its directory or the file.
  case "$arg" in
    test/*'*'* | test/e2e | test/e2e/ | test/e2e/fleet | test/e2e/fleet/ | test/e2e/fleet/dos-filter.test.ts) named_dos=1 ;;
  esac
done
[ "$named_goosebit$named_other" != 00 ] || named_dos=1
if [ "$named_goosebit$named_other" = 10 ]; then default_servers=goosebit; fi
if [ "$named_goosebit$named_other" = 01 ]; then default_servers=hawkbit; fi
read -r -a servers <<<"${E2E_SERVERS:-$default_servers}"
versions=()
for server in "${servers[@]}"; do
  case "$server" in
    hawkbit) read -r -a versions <<<"${HAWKBIT_E2E_VERSIONS:-$(scripts/hawkbit-server.sh versions)}" ;;
    goosebit) ;;
    *) echo "E2E_SERVERS: unknown server $server (hawkbit, goosebit)" >&2; exit 2 ;;
  esac
done
state="$(mktemp -d "${TMPDIR:-/tmp}/hawkbit-e2e.XXXXXX")"
pid_file="$state/server.pid"
child=""
cleanup() {
  # Long steps run in the background and are awaited, so a signal is handled at once.
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
  scripts/hawkbit-server.sh stop --pid-file "$pid_file" || true
  scripts/hawkbit-server.sh stop --pid-file "$state/dos.pid" || true
  scripts/goosebit-server.sh stop --pid-file "$state/goosebit.pid" || true
  scripts/goosebit-server.sh stop --pid-file "$state/goosebit-strict.pid" || true
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command in the background and waits for it; its exit status is returned.
run() {
  "$@" &
  child=$!
  local status=0
  wait "$child" || status=$?
  child=""
  return "$status"
}

failed=0
scope=full
for version in "${versions[@]}"; do
  started=$SECONDS
  run scripts/hawkbit-server.sh start --version "$version" --pid-file "$pid_file" >/dev/null
  url="$(cat "$pid_file.url")"
  dos_url=""
  if [ "$scope" = full ] && [ "$named_dos" = 1 ]; then
    run scripts/hawkbit-server.sh start --version "$version" --dos-filter --pid-file "$state/dos.pid" >/dev/null
    dos_url="$(cat "$state/dos.pid.url")"
  fi
  printf '\n==> e2e against hawkBit %s at %s (%s suite%s)\n' "$version" "$url" "$scope" "${dos_url:+; DoS filter on at $dos_url}"
  if ! HAWKBIT_URL="$url" HAWKBIT_VERSION="$version" HAWKBIT_E2E_SCOPE="$scope" HAWKBIT_DOS_URL="$dos_url" \
      run node_modules/.bin/ava --config test/e2e/ava.config.js "$@"; then
    failed=1
  fi
  scripts/hawkbit-server.sh stop --pid-file "$pid_file"
  [ -z "$dos_url" ] || scripts/hawkbit-server.sh stop --pid-file "$state/dos.pid"
  printf '==> hawkBit %s: %ss including start and stop\n' "$version" "$((SECONDS - started))"
  scope=compat
done

if [[ " ${servers[*]} " == *" goosebit "* ]]; then
  started=$SECONDS
  goosebit_version="$(scripts/goosebit-server.sh version)"
  run scripts/goosebit-server.sh start --device-auth off --pid-file "$state/goosebit.pid" >/dev/null
  run scripts/goosebit-server.sh start --device-auth strict --pid-file "$state/goosebit-strict.pid" >/dev/null
  printf '\n==> e2e against goosebit %s at %s and, with strict device auth, %s\n' "$goosebit_version" \
    "$(cat "$state/goosebit.pid.url")" "$(cat "$state/goosebit-strict.pid.url")"
  if ! GOOSEBIT_URL="$(cat "$state/goosebit.pid.url")" GOOSEBIT_DIR="$(cat "$state/goosebit.pid.dir")" \
      GOOSEBIT_STRICT_URL="$(cat "$state/goosebit-strict.pid.url")" GOOSEBIT_STRICT_DIR="$(cat "$state/goosebit-strict.pid.dir")" \
      HAWKBIT_E2E_SCOPE=goosebit run node_modules/.bin/ava --config test/e2e/ava.config.js "$@"; then
    failed=1
  fi
  scripts/goosebit-server.sh stop --pid-file "$state/goosebit.pid"
  scripts/goosebit-server.sh stop --pid-file "$state/goosebit-strict.pid"
  printf '==> goosebit %s: %ss including start and stop\n' "$goosebit_version" "$((SECONDS - started))"
fi
exit "$failed"
