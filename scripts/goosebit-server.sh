#!/usr/bin/env bash
# Install, start and stop a real goosebit update server (an independent DDI server, from PyPI) for
# the end-to-end tests.
#
#   scripts/goosebit-server.sh install                                     install (or reuse) the venv, print its path
#   scripts/goosebit-server.sh start [--pid-file F] [--device-auth off|strict]  start on a free port, print the URL
#   scripts/goosebit-server.sh stop  [--pid-file F]                        stop the server F names, remove its dir
#   scripts/goosebit-server.sh version                                     print the pinned goosebit version
#
# `install` creates a Python venv with exactly scripts/goosebit-server/requirements.txt (goosebit,
# aerich and tortoise-orm pinned, and what they import) under .cache/goosebit/venv-<key>/
# (git-ignored), keyed by that file and the Python version, and reuses it after that.
# `start` works in a fresh temp dir: its SQLite database and artifact store (goosebit's defaults point
# into site-packages), a random secret key, the schema migrated with `aerich upgrade`, then
# `uvicorn goosebit:app` bound to 127.0.0.1 on a port the OS picks (`python -m goosebit` would bind
# every interface). It waits (bounded) until `GET /docs` answers, creates the management user with
# `POST /setup`, and prints the base URL on stdout; progress goes to stderr. The server's log,
# uvicorn's access log included (every request and its status), is `<dir>/server.log`, the dir
# being named in `<pid file>.dir`.
#
# --device-auth strict: devices must exist with a token (set through the management API) and send
# `Authorization: TargetToken <token>`; off (goosebit's default): no device authentication.
#
# Environment: GOOSEBIT_PYTHON (default python3, 3.11 or newer), GOOSEBIT_CACHE (default
# <repo>/.cache/goosebit), GOOSEBIT_POLL_TIME (default 00:00:02), GOOSEBIT_ADMIN_USER and
# GOOSEBIT_ADMIN_PASSWORD (default admin@goosebit.test / admin), GOOSEBIT_START_TIMEOUT (s, default 60).
set -euo pipefail

readonly ROOT="$(cd "$(dirname "$0")/.." && pwd)"
readonly REQUIREMENTS="$ROOT/scripts/goosebit-server/requirements.txt"
readonly CACHE="${GOOSEBIT_CACHE:-$ROOT/.cache/goosebit}"
readonly PYTHON="${GOOSEBIT_PYTHON:-python3}"

log() { printf 'goosebit-server: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=lib/stop-server.bash
source "$ROOT/scripts/lib/stop-server.bash"

pid_file="$CACHE/server.pid"
device_auth=off

command="${1:-}"
[ -n "$command" ] || die "usage: $0 install|start|stop|version [--pid-file F] [--device-auth off|strict]"
shift
while [ $# -gt 0 ]; do
  case "$1" in
    --pid-file) [ $# -ge 2 ] || die "--pid-file needs a value"; pid_file="$2"; shift 2 ;;
    --device-auth) [ $# -ge 2 ] || die "--device-auth needs a value"; device_auth="$2"; shift 2 ;;
    *) die "unknown argument: $1" ;;
  esac
done
case "$device_auth" in off|strict) ;; *) die "--device-auth is off or strict, not $device_auth" ;; esac

pinned_version() {
  sed -n 's/^goosebit==\(.*\)$/\1/p' "$REQUIREMENTS"
}

# The venv for the pinned requirements and this Python, installed once (a stamp marks it complete).
install_venv() {
  local python_version key venv old
  command -v "$PYTHON" >/dev/null || die "goosebit needs Python 3.11 or newer: install python3 (and python3-venv on Debian) or set GOOSEBIT_PYTHON"
  python_version="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
    || die "goosebit needs Python 3.11 or newer; $PYTHON is $python_version (set GOOSEBIT_PYTHON)"
  key="$( (cat "$REQUIREMENTS"; echo "$python_version") | sha256sum | cut -c1-16)"
  venv="$CACHE/venv-$key"
  if [ -f "$venv/.complete" ]; then
    echo "$venv"; return
  fi
  mkdir -p "$CACHE"
  exec 9>"$CACHE/install.lock"
  flock 9
  if [ -f "$venv/.complete" ]; then
    exec 9>&-; echo "$venv"; return
  fi
  log "installing goosebit $(pinned_version) from PyPI into $venv (once; takes half a minute)"
  for old in "$CACHE"/venv-*; do
    [ -d "$old" ] && rm -rf "$old"
  done
  if ! "$PYTHON" -m venv "$venv" >"$CACHE/install.log" 2>&1; then
    cat "$CACHE/install.log" >&2
    rm -rf "$venv"
    die "$PYTHON cannot create a venv (Debian: apt-get install python3-venv)"
  fi
  if ! "$venv/bin/pip" install --no-input --disable-pip-version-check -q -r "$REQUIREMENTS" >>"$CACHE/install.log" 2>&1 \
      || ! "$venv/bin/pip" check >>"$CACHE/install.log" 2>&1; then
    tail -n 30 "$CACHE/install.log" >&2 || true
    rm -rf "$venv"
    die "installing goosebit failed (full log: $CACHE/install.log)"
  fi
  touch "$venv/.complete"
  exec 9>&-
  echo "$venv"
}

start_server() {
  local venv work log_file pid port="" deadline started url migrations status
  [ ! -f "$pid_file" ] || ! kill -0 "$(cat "$pid_file")" 2>/dev/null \
    || die "a server from $pid_file is still running (pid $(cat "$pid_file")): stop it first"
  command -v curl >/dev/null || die "curl is needed to check that the server answers"
  venv="$(install_venv)"
  work="$(mktemp -d "${TMPDIR:-/tmp}/goosebit-server.XXXXXX")"
  log_file="$work/server.log"
  mkdir -p "$work/artifacts" "$(dirname "$pid_file")"
  # Recorded at once, so that `stop` removes the dir also when start is interrupted.
  echo "$work" >"$pid_file.dir"
  started=$SECONDS

  # Settings are read from the environment by goosebit's config module, in aerich and in the server.
  export GOOSEBIT_DB_URI="sqlite:///$work/db.sqlite3"
  export GOOSEBIT_ARTIFACTS_DIR="$work/artifacts"
  GOOSEBIT_SECRET_KEY="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
  export GOOSEBIT_SECRET_KEY
  export GOOSEBIT_POLL_TIME="${GOOSEBIT_POLL_TIME:-00:00:02}"
  export GOOSEBIT_TRACK_DEVICE_IP=false
  if [ "$device_auth" = strict ]; then
    export GOOSEBIT_DEVICE_AUTH__ENABLE=true GOOSEBIT_DEVICE_AUTH__MODE=strict
  else
    export GOOSEBIT_DEVICE_AUTH__ENABLE=false
  fi
  # goosebit applies its logging settings when imported, after uvicorn set up its own, and by
  # default that disables uvicorn's loggers: the access log and the line naming the port. Keep them.
  export GOOSEBIT_LOGGING='{"version": 1, "disable_existing_loggers": false,
    "formatters": {"simple": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "simple"}},
    "loggers": {"tortoise": {"level": "WARNING"}, "aiosqlite": {"level": "WARNING"}, "multipart": {"level": "INFO"}},
    "root": {"level": "INFO", "handlers": ["console"]}}'

  migrations="$("$venv/bin/python" -c 'import importlib.util, pathlib; print(pathlib.Path(importlib.util.find_spec("goosebit").origin).parent / "db" / "migrations")')"
  printf '[tool.aerich]\ntortoise_orm = "goosebit.db.config.TORTOISE_CONF"\nlocation = "%s"\nsrc_folder = "./."\n' \
    "$migrations" >"$work/aerich.toml"
  if ! (cd "$work" && "$venv/bin/aerich" -c aerich.toml upgrade </dev/null >"$work/migrate.log" 2>&1); then
    cat "$work/migrate.log" >&2
    rm -rf "$work" "$pid_file.dir"
    die "migrating goosebit's database failed (aerich upgrade, output above)"
  fi

  # Port 0: the OS picks a free port and uvicorn logs it; no race with other processes.
  (cd "$work" && exec "$venv/bin/uvicorn" goosebit:app --host 127.0.0.1 --port 0 --no-server-header \
    </dev/null >"$log_file" 2>&1) &
  pid=$!
  echo "$pid" >"$pid_file"
  log "started goosebit $(pinned_version) (pid $pid, device auth $device_auth) in $work"

  deadline=$((SECONDS + ${GOOSEBIT_START_TIMEOUT:-60}))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$log_file" >&2 || true
      rm -f "$pid_file" "$pid_file.dir"
      die "goosebit exited during start-up (log above, full log: $log_file)"
    fi
    if [ -z "$port" ]; then
      port="$(sed -n 's|.*Uvicorn running on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$log_file" | head -n 1)"
    fi
    if [ -n "$port" ] && curl -fsS -o /dev/null "http://127.0.0.1:$port/docs"; then
      break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 40 "$log_file" >&2 || true
      stop_server
      die "goosebit did not answer within ${GOOSEBIT_START_TIMEOUT:-60}s (log tail above)"
    fi
    sleep 0.2
  done
  url="http://127.0.0.1:$port"
  status="$(curl -sS -o "$work/setup.json" -w '%{http_code}' \
    --data-urlencode "username=${GOOSEBIT_ADMIN_USER:-admin@goosebit.test}" \
    --data-urlencode "password=${GOOSEBIT_ADMIN_PASSWORD:-admin}" "$url/setup")"
  if [ "$status" != 200 ]; then
    cat "$work/setup.json" >&2 || true
    stop_server
    die "creating goosebit's management user failed (POST /setup answered $status)"
  fi
  rm -f "$work/setup.json"
  echo "$url" >"$pid_file.url"
  log "goosebit answers at $url after $((SECONDS - started))s, RSS $(($(ps -o rss= -p "$pid") / 1024)) MiB"
  echo "$url"
}

stop_server() {
  stop_recorded_server goosebit 10 goosebit-server
}

case "$command" in
  install) install_venv ;;
  start) start_server ;;
  stop) stop_server ;;
  version) pinned_version ;;
  *) die "unknown command: $command (install|start|stop|version)" ;;
esac
