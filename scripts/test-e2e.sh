#!/usr/bin/env bash
# `npm run test:e2e`: end-to-end tests against real hawkBit servers, one at a time to spare memory
# and CPU. The pinned release runs the whole suite (test/e2e/**); the older compat release runs the
# raw-protocol part (test/e2e/ddi/**). Each server is started once for its run (URL exported as
# HAWKBIT_URL) and stopped afterwards, also when a test fails or the run is interrupted.
# HAWKBIT_E2E_VERSIONS="V1 V2 …" overrides the versions (the first one gets the whole suite).
# Extra arguments go to ava (e.g. a file pattern or --match).
set -euo pipefail
cd "$(dirname "$0")/.."

read -r -a versions <<<"${HAWKBIT_E2E_VERSIONS:-$(scripts/hawkbit-server.sh versions)}"
state="$(mktemp -d "${TMPDIR:-/tmp}/hawkbit-e2e.XXXXXX")"
pid_file="$state/server.pid"
cleanup() {
  scripts/hawkbit-server.sh stop --pid-file "$pid_file" || true
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failed=0
first=1
for version in "${versions[@]}"; do
  started=$SECONDS
  url="$(scripts/hawkbit-server.sh start --version "$version" --pid-file "$pid_file")"
  scope=full
  [ "$first" = 1 ] || scope=compat
  printf '\n==> e2e against hawkBit %s at %s (%s suite)\n' "$version" "$url" "$scope"
  if ! HAWKBIT_URL="$url" HAWKBIT_VERSION="$version" HAWKBIT_E2E_SCOPE="$scope" \
      npx ava --config test/e2e/ava.config.js "$@"; then
    failed=1
  fi
  scripts/hawkbit-server.sh stop --pid-file "$pid_file"
  printf '==> hawkBit %s: %ss including start and stop\n' "$version" "$((SECONDS - started))"
  first=0
done
exit "$failed"
