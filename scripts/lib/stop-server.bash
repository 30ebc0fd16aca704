# Sourced by scripts/hawkbit-server.sh and scripts/goosebit-server.sh (which define `log` and
# `pid_file`): stops the server process a pid file names, SIGKILL after a grace time, and removes the
# pid file, what start recorded beside it (.dir, .url) and the server's temp dir (also when start
# was interrupted before it wrote the pid file).
#
#   stop_recorded_server NAME GRACE_SECONDS TEMP_DIR_PREFIX
stop_recorded_server() {
  local name="$1" grace="$2" prefix="$3" pid="" work i
  work="$(cat "$pid_file.dir" 2>/dev/null || true)"
  [ ! -f "$pid_file" ] || pid="$(cat "$pid_file")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid, RSS $(($(ps -o rss= -p "$pid" || echo 0) / 1024)) MiB)"
    kill -TERM "$pid"
    for i in $(seq 1 $((grace * 4))); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid ignored SIGTERM for ${grace}s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pid_file" "$pid_file.dir" "$pid_file.url"
  case "$work" in
    "${TMPDIR:-/tmp}/$prefix".*) rm -rf "$work" ;;
  esac
}
