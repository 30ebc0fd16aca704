#!/usr/bin/env bash
# Build, start and stop a real Eclipse hawkBit update server for tests and the demo, without Docker.
#
#   scripts/hawkbit-server.sh build [--version V]                 build (or reuse) the jar, print its path
#   scripts/hawkbit-server.sh start [--version V] [--pid-file F] [--dos-filter]
#                                                                 start on a free port, print the URL
#   scripts/hawkbit-server.sh stop  [--pid-file F]                stop the server F names, remove its dir
#   scripts/hawkbit-server.sh java  [--version V]                 print the java binary used for V
#   scripts/hawkbit-server.sh versions                            print the pinned and the compat version
#
# Maven Central serves hawkBit's modules but not its runnable `hawkbit-update-server` jar, so `build`
# assembles the same server from them (scripts/hawkbit-server/pom.xml.in: DDI + management API,
# embedded H2) with Maven, once per version, into .cache/hawkbit/<version>/ (git-ignored, reused).
# `start` runs it with `java -jar` in a fresh temp dir with the arguments of
# scripts/hawkbit-server/server.args, waits (bounded) until the management API answers (that call
# also creates the DEFAULT tenant), and prints the base URL on stdout; progress goes to stderr.
# `--dos-filter` keeps hawkBit's DoS filter on at its defaults (429 above 50 writes or 200 reads per
# second per address) and lets it count loopback too, which hawkBit's default allow list exempts.
#
# Environment: HAWKBIT_VERSION (default below), HAWKBIT_XMX (JVM heap, default 512m),
# HAWKBIT_START_TIMEOUT (seconds, default 240), HAWKBIT_CACHE (default <repo>/.cache/hawkbit),
# HAWKBIT_JAVA (java binary to use instead of the automatic choice).
set -euo pipefail

# The newest hawkBit release whose modules Maven Central serves (see docs/testing.md), and an older
# one with other DDI and management shapes for the compatibility smoke.
readonly DEFAULT_VERSION=0.3.0M7
readonly COMPAT_VERSION=0.3.0M1
readonly ROOT="$(cd "$(dirname "$0")/.." && pwd)"
readonly ASSEMBLY="$ROOT/scripts/hawkbit-server"
readonly CACHE="${HAWKBIT_CACHE:-$ROOT/.cache/hawkbit}"

log() { printf 'hawkbit-server: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=lib/stop-server.bash
source "$ROOT/scripts/lib/stop-server.bash"

version="${HAWKBIT_VERSION:-$DEFAULT_VERSION}"
pid_file="$CACHE/server.pid"
dos_filter=0

command="${1:-}"
[ -n "$command" ] || die "usage: $0 build|start|stop|java|versions [--version V] [--pid-file F]"
shift
while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || die "--version needs a value"; version="$2"; shift 2 ;;
    --pid-file) [ $# -ge 2 ] || die "--pid-file needs a value"; pid_file="$2"; shift 2 ;;
    --dos-filter) dos_filter=1; shift ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9A-Za-z.]+$ ]] || die "not a hawkBit version: $version"

# Major Java version a `java` binary reports, e.g. 17.
java_major() {
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)[."].*/\1/p' | head -n 1
}

# Oldest Java a hawkBit release runs on: 1.1 and later need 21, older ones 17 (our assembly of the
# 0.x releases was built for Java 8 but runs on 17, the oldest JDK Debian still ships).
required_java() {
  case "$1" in
    0.*|1.0.*) echo 17 ;;
    *) echo 21 ;;
  esac
}

# The java binary for a version: HAWKBIT_JAVA, else the default `java` if new enough, else the
# newest JDK under /usr/lib/jvm that is.
pick_java() {
  local need candidate major
  need="$(required_java "$1")"
  if [ -n "${HAWKBIT_JAVA:-}" ]; then
    echo "$HAWKBIT_JAVA"; return
  fi
  for candidate in "$(command -v java || true)" $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV); do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    major="$(java_major "$candidate")"
    if [ -n "$major" ] && [ "$major" -ge "$need" ]; then
      echo "$candidate"; return
    fi
  done
  die "hawkBit $1 needs Java $need or newer: install a JDK (e.g. apt-get install openjdk-17-jre-headless) or set HAWKBIT_JAVA"
}

# "N files, X MB" that Maven's log $1 says it downloaded ("Downloaded from central: URL (2.5 kB at …)").
maven_transfers() {
  awk '/Downloaded from / {
      files++
      for (i = 1; i + 2 <= NF; i++) if ($i ~ /^\(/ && $(i + 2) == "at") {
        size = substr($i, 2); unit = $(i + 1)
        bytes += size * (unit == "GB" ? 1e9 : unit == "MB" ? 1e6 : unit == "kB" ? 1e3 : 1)
      }
    }
    END { printf "%d files, %.1f MB", files, bytes / 1e6 }' "$1" 2>/dev/null || echo "0 files, 0.0 MB"
}

# The Maven step a log $1 is at: the plugin goal of its last "--- plugin:version:goal (…) @ … ---" line.
maven_step() {
  sed -n 's/^\[INFO\] --- \([^: ]*\):[^: ]*:\([^ ]*\) .*/\1 \2/p' "$1" 2>/dev/null | tail -n 1
}

# While the Maven of pid $2 runs, says every 5 s what its log $1 shows changed: the files and MB it
# fetched so far and its current step, so that a first build does not sit silent for a minute.
build_progress() {
  local line last="" step
  while kill -0 "$2" 2>/dev/null; do
    sleep 5
    step="$(maven_step "$1")"
    line="$(maven_transfers "$1") fetched, ${step:-resolving the build}"
    [ "$line" = "$last" ] || log "building: $line"
    last="$line"
  done
}

# Builds the server jar for a version unless the cached one was built from the same inputs.
build_jar() {
  local dir="$CACHE/$version" jar stamp inputs_hash java started mvn_pid progress_pid status
  jar="$dir/hawkbit-rauc-test-server-$version.jar"
  stamp="$dir/inputs.sha256"
  inputs_hash="$(cat "$ASSEMBLY/pom.xml.in" "$ASSEMBLY/TestServer.java" "$ASSEMBLY/application.properties" \
    | sha256sum | cut -d' ' -f1)"
  if [ -f "$jar" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs_hash" ]; then
    echo "$jar"; return
  fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to build hawkBit $version once: apt-get install maven"
  java="$(pick_java "$version")"
  log "building hawkBit $version into $dir: once; Maven fetches the server's modules (~100 MB) from Maven Central into its local repository (~/.m2) first"
  rm -rf "$dir/build"
  mkdir -p "$dir/build/src/main/java/org/hawkbitrauc/testserver" "$dir/build/src/main/resources"
  sed "s/@HAWKBIT_VERSION@/$version/g" "$ASSEMBLY/pom.xml.in" >"$dir/build/pom.xml"
  cp "$ASSEMBLY/TestServer.java" "$dir/build/src/main/java/org/hawkbitrauc/testserver/"
  cp "$ASSEMBLY/application.properties" "$dir/build/src/main/resources/"
  started=$SECONDS
  # Not quiet: the log keeps Maven's transfer lines, which build_progress summarises meanwhile.
  (cd "$dir/build" && JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java")")")" \
    exec mvn -B -DskipTests -Dmaven.source.skip=true package >"$dir/build.log" 2>&1) &
  mvn_pid=$!
  build_progress "$dir/build.log" "$mvn_pid" &
  progress_pid=$!
  # An interrupted build stops Maven too instead of leaving it running.
  trap 'kill "$mvn_pid" "$progress_pid" 2>/dev/null || true' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  status=0
  wait "$mvn_pid" || status=$?
  kill "$progress_pid" 2>/dev/null || true
  wait "$progress_pid" 2>/dev/null || true
  trap - EXIT INT TERM
  if [ "$status" -ne 0 ]; then
    tail -n 30 "$dir/build.log" >&2 || true
    die "building hawkBit $version failed (full log: $dir/build.log)"
  fi
  log "built hawkBit $version in $((SECONDS - started))s ($(maven_transfers "$dir/build.log") fetched)"
  mv "$dir/build/target/hawkbit-rauc-test-server.jar" "$jar"
  echo "$inputs_hash" >"$stamp"
  rm -rf "$dir/build"
  echo "$jar"
}

# Reads server.args: one argument a line, `#` comments and blank lines skipped. With --dos-filter the
# filter's switch is replaced (a property given twice would reach Spring as "false,true") and its allow
# list matches no address.
server_args() {
  if [ "$dos_filter" = 1 ]; then
    grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' -e '^--hawkbit.server.security.dos.filter.enabled=' "$ASSEMBLY/server.args"
    echo '--hawkbit.server.security.dos.filter.enabled=true'
    echo '--hawkbit.server.security.dos.filter.whitelist=^$'
  else
    grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$ASSEMBLY/server.args"
  fi
}

start_server() {
  local jar java work pid port="" deadline started url log_file
  [ ! -f "$pid_file" ] || ! kill -0 "$(cat "$pid_file")" 2>/dev/null \
    || die "a server from $pid_file is still running (pid $(cat "$pid_file")): stop it first"
  command -v curl >/dev/null || die "curl is needed to check that the server answers"
  jar="$(build_jar)"
  java="$(pick_java "$version")"
  work="$(mktemp -d "${TMPDIR:-/tmp}/hawkbit-server.XXXXXX")"
  log_file="$work/server.log"
  # Created before the server starts: the wait loop below reads it at once (the background start may be later).
  : >"$log_file"
  mkdir -p "$(dirname "$pid_file")"
  started=$SECONDS
  mapfile -t args < <(server_args)
  # Port 0: the OS picks a free port and Spring Boot logs it; no race with other processes.
  (cd "$work" && exec "$java" "-Xmx${HAWKBIT_XMX:-512m}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -jar "$jar" --server.port=0 --server.address=127.0.0.1 "${args[@]}" </dev/null >"$log_file" 2>&1) &
  pid=$!
  echo "$pid" >"$pid_file"
  echo "$work" >"$pid_file.dir"
  log "started hawkBit $version (pid $pid, $java) in $work$([ "$dos_filter" = 1 ] && echo ', DoS filter on')"

  deadline=$((SECONDS + ${HAWKBIT_START_TIMEOUT:-240}))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$log_file" >&2 || true
      rm -f "$pid_file" "$pid_file.dir"
      die "hawkBit $version exited during start-up (log above, full log: $log_file)"
    fi
    if [ -z "$port" ]; then
      port="$(sed -n 's/.*started on port(s) \([0-9][0-9]*\).*/\1/p' "$log_file" | head -n 1)"
    fi
    if [ -n "$port" ] && curl -fsS -o /dev/null -u admin:admin "http://127.0.0.1:$port/rest/v1/targets?limit=1"; then
      break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 40 "$log_file" >&2 || true
      cp "$log_file" "$pid_file.log" || true
      stop_server
      die "hawkBit $version did not answer within ${HAWKBIT_START_TIMEOUT:-240}s (log tail above, full log: $pid_file.log)"
    fi
    sleep 1
  done
  url="http://127.0.0.1:$port"
  echo "$url" >"$pid_file.url"
  log "hawkBit $version answers at $url after $((SECONDS - started))s, RSS $(($(ps -o rss= -p "$pid") / 1024)) MiB"
  echo "$url"
}

stop_server() {
  stop_recorded_server hawkBit 30 hawkbit-server
}

case "$command" in
  build) build_jar ;;
  start) start_server ;;
  stop) stop_server ;;
  java) pick_java "$version" ;;
  versions) echo "$DEFAULT_VERSION $COMPAT_VERSION" ;;
  *) die "unknown command: $command (build|start|stop|java|versions)" ;;
esac
