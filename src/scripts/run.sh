#!/usr/bin/env bash
# kafru's main job: see kafru working, from a fresh checkout, with one command.
#
#   src/scripts/run.sh           build if needed, start SurrealDB (the launcher in src/surrealdb)
#                                and Payara Micro with target/kafru.war, wait until the WAR's
#                                sample `hello` task has run, then keep running until Ctrl-C
#   src/scripts/run.sh --once    the same, but stop everything and exit 0 once the hello task
#                                has run (also: KAFRU_RUN_ONCE=1)
#
# Everything listens on 127.0.0.1 only: SurrealDB at ws://127.0.0.1:4030/rpc (the crate's
# default credentials kafru_admin / kafru_password, which are kafru's defaults too) and Payara
# Micro at http://localhost:8080. Data and logs stay under target/: surrealdb-data/,
# surrealdb.log, payara.log, payara-root/ (made afresh at every start), run.pids.
# Needs Java 17, 21 or 25 (JAVA_HOME's when set), Maven, Node 20, 22 or 24, npm and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
. src/scripts/versions.sh

SURREAL_HOST=127.0.0.1
SURREAL_PORT=4030
HTTP_PORT=8080
PAYARA_VERSION=6.2025.10
SURREAL_TIMEOUT=60
HELLO_TIMEOUT=180

usage() {
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
}

once="${KAFRU_RUN_ONCE:-0}"
for arg in "$@"; do
  case "$arg" in
    --once) once=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

require_java
require_node

started=$SECONDS
say() { printf '[run.sh %3ds] %s\n' "$((SECONDS - started))" "$*" || true; }
die() { printf 'run.sh: %s\n' "$*" >&2 || true; exit 1; }

# ---------------------------------------------------------------------------------------
# Stop whatever this script started, whichever way it ends.
# ---------------------------------------------------------------------------------------
payara_pid=
surreal_pid=

stop_pid() { # name pid grace-seconds
  local name=$1 pid=$2 grace=$3 i
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name did not stop within ${grace}s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      # a process an earlier run.sh left is no child of ours: `wait` does not wait for it, so wait
      # for it to be gone (and its ports free) here
      for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # whoever read our output may be gone (a pipe closed by the same Ctrl-C): stop the servers anyway
  trap '' PIPE
  # Payara first, so that kafru closes its connection before the database goes away.
  stop_pid "Payara Micro" "$payara_pid" 30
  payara_pid=
  stop_pid "SurrealDB launcher" "$surreal_pid" 15
  surreal_pid=
  rm -f "$pids_file"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The servers this script starts are written to target/run.pids. A run.sh killed with SIGKILL
# cannot stop them: the next start finds them there and stops them first (only processes that
# still run this checkout's launcher or Payara Micro, from this directory).
pids_file=target/run.pids
ours() { # pid: is it a server an earlier run.sh of this checkout started?
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$PWD" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -c -e 'target/payara-micro.jar' -e 'src/surrealdb/server.mjs' >/dev/null
}
stop_leftovers() {
  [ -f "$pids_file" ] || return 0
  local name pid
  while read -r name pid; do
    if ours "$pid"; then
      say "an earlier run.sh that did not stop left $name running (pid $pid): stopping it"
      stop_pid "$name" "$pid" 30
    fi
  done <"$pids_file"
  rm -f "$pids_file"
}

port_in_use() { # port
  if command -v ss >/dev/null 2>&1; then
    [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# ---------------------------------------------------------------------------------------
# 1. SurrealDB launcher's npm packages
# ---------------------------------------------------------------------------------------
if [ ! -d src/surrealdb/node_modules ]; then
  say "installing the SurrealDB launcher's npm packages (src/surrealdb)"
  npm ci --prefix src/surrealdb --no-audit --no-fund
fi

# ---------------------------------------------------------------------------------------
# 2. target/kafru.war and target/payara-micro.jar
# ---------------------------------------------------------------------------------------
if [ ! -f target/kafru.war ] || [ -n "$(find src/main pom.xml -newer target/kafru.war -print -quit)" ]; then
  say "building target/kafru.war (mvn package -Dmaven.test.skip=true)"
  mvn -B -q package -Dmaven.test.skip=true || die "the build failed (see Maven's output above)"
  [ -f target/kafru.war ] || die "the build did not produce target/kafru.war"
fi
if [ ! -f target/payara-micro.jar ]; then
  say "fetching Payara Micro $PAYARA_VERSION into target/payara-micro.jar"
  mvn -B -q dependency:copy -Dartifact="fish.payara.extras:payara-micro:$PAYARA_VERSION" \
      -DoutputDirectory=target -Dmdep.stripVersion=true || die "could not fetch Payara Micro"
  [ -f target/payara-micro.jar ] || die "target/payara-micro.jar is missing after mvn dependency:copy"
fi

# ---------------------------------------------------------------------------------------
# 3. SurrealDB launcher on 127.0.0.1:4030 (RocksDB in target/surrealdb-data)
# ---------------------------------------------------------------------------------------
mkdir -p target
stop_leftovers
if port_in_use "$SURREAL_PORT"; then
  die "port $SURREAL_PORT is already in use (another SurrealDB or launcher?): stop what listens there first:
$(ss -Hltnp "sport = :$SURREAL_PORT" 2>/dev/null || true)"
fi
if port_in_use "$HTTP_PORT"; then
  die "port $HTTP_PORT is already in use (another Payara Micro?): stop what listens there first:
$(ss -Hltnp "sport = :$HTTP_PORT" 2>/dev/null || true)"
fi

surreal_log=target/surrealdb.log
say "starting the SurrealDB launcher on $SURREAL_HOST:$SURREAL_PORT (log: $surreal_log)"
# the engine spends about a tenth of its time in glibc's malloc: with Debian's libjemalloc2 it is
# 10-15% faster (src/surrealdb/README.md)
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
[ -f "$jemalloc" ] && export LD_PRELOAD="$jemalloc${LD_PRELOAD:+:$LD_PRELOAD}"
node src/surrealdb/server.mjs start -u kafru_admin -p kafru_password \
  -b "$SURREAL_HOST:$SURREAL_PORT" rocksdb://target/surrealdb-data >"$surreal_log" 2>&1 &
surreal_pid=$!
unset LD_PRELOAD
echo "launcher $surreal_pid" >"$pids_file"

deadline=$((SECONDS + SURREAL_TIMEOUT))
until grep -q 'listening on' "$surreal_log" 2>/dev/null; do
  if ! kill -0 "$surreal_pid" 2>/dev/null; then
    wait "$surreal_pid" 2>/dev/null || true
    surreal_pid=
    cat "$surreal_log" >&2
    die "the SurrealDB launcher exited before it was ready (output above)"
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    cat "$surreal_log" >&2
    die "the SurrealDB launcher did not print 'listening on' within ${SURREAL_TIMEOUT}s (output above)"
  fi
  sleep 0.2
done
say "$(grep -m1 'listening on' "$surreal_log")"

# ---------------------------------------------------------------------------------------
# 4. Payara Micro with target/kafru.war on localhost:8080
# ---------------------------------------------------------------------------------------
# Payara Micro has no flag for the HTTP listener's address; a pre-boot asadmin command binds
# it to loopback (the machine's rule: demos talk to 127.0.0.1 / localhost only).
preboot=target/payara-preboot.asadmin
echo 'set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1' >"$preboot"

# A fresh root directory every start: Payara Micro records deployed applications in the
# domain.xml there, and from a kept one it would deploy kafru.war once from that record and
# again for --deploy (two deployments, two generated admin passwords, the hello task twice, and
# 404s while the second replaces the first).
rm -rf target/payara-root
payara_log=target/payara.log
say "starting Payara Micro on localhost:$HTTP_PORT with target/kafru.war (log: $payara_log)"
# kafru.sample.enabled: kafru.war pushes its sample hello task only where it is asked to; a fixed
# maximum heap, as docs/operating.md advises (with the JVM's default G1 grew it through floods)
java -Xmx2g -Djava.io.tmpdir=target -Dkafru.sample.enabled=true -jar target/payara-micro.jar \
  --deploy target/kafru.war --contextroot / --port "$HTTP_PORT" \
  --nocluster --nohazelcast --disablephonehome \
  --prebootcommandfile "$preboot" --rootdir target/payara-root >"$payara_log" 2>&1 &
payara_pid=$!
echo "payara $payara_pid" >>"$pids_file"

# ---------------------------------------------------------------------------------------
# 5. Wait until the deployment is final and the sample `hello` task has run
# ---------------------------------------------------------------------------------------
plain_log() { sed -e 's/\x1b\[[0-9;]*m//g' "$payara_log" 2>/dev/null; }
# Whether the log has a line with $1. grep -c reads to the end: grep -q stops at its match, and the sed
# feeding it then dies of SIGPIPE, which pipefail turns into "not found" once the log is long enough.
log_has() { plain_log | grep -c -- "$1" >/dev/null; }
alive_or_die() {
  if ! kill -0 "$payara_pid" 2>/dev/null; then
    wait "$payara_pid" 2>/dev/null || true
    payara_pid=
    tail -n 60 "$payara_log" >&2
    die "Payara Micro exited before kafru was ready (last lines of $payara_log above)"
  fi
  if ! kill -0 "$surreal_pid" 2>/dev/null; then
    tail -n 30 "$surreal_log" >&2
    die "the SurrealDB launcher exited unexpectedly (last lines of $surreal_log above)"
  fi
}

say "waiting for the deployment and the sample hello task (up to ${HELLO_TIMEOUT}s; Payara Micro's first start takes a while)"
deadline=$((SECONDS + HELLO_TIMEOUT))
# Payara Micro prints "ready in" once every deployment of its start is done; the sample pushes
# one task and logs its id, and the hello line of that id is this start's.
pushed=
until [ -n "$pushed" ] && log_has "ready in" && log_has "Hello, kafru! (kafru task $pushed,"; do
  alive_or_die
  [ "$SECONDS" -lt "$deadline" ] || { tail -n 60 "$payara_log" >&2; die "kafru.war was not deployed with its hello task run within ${HELLO_TIMEOUT}s (last lines of $payara_log above)"; }
  [ -n "$pushed" ] || pushed=$(plain_log | grep -o "kafru sample: pushed task [a-z0-9]*" | head -n 1 | sed 's/.* //' || true)
  sleep 0.5
done
deployments=$(plain_log | grep -c "was successfully deployed" || true)
[ "$deployments" = 1 ] || die "Payara Micro deployed kafru.war $deployments times (expected once; see $payara_log)"
# The handler's line without Payara's colours and record prefix: "<time> Hello, kafru! (...)".
# (grep -m1 stops reading at its match: the sed feeding it may die of SIGPIPE, which pipefail and set -e
# would make a silent exit once the log is long enough — || true)
hello_line=$(plain_log | grep -m1 "Hello, kafru! (kafru task $pushed," \
  | sed -e 's/^\[\([^]]*\)\].*\(Hello, kafru!.*\)$/\1  \2/' || true)

# The admin API's credentials: as configured, or the password kafru generated and logged.
admin_user="${KAFRU_ADMIN_USERNAME:-admin}"
if [ -n "${KAFRU_ADMIN_PASSWORD:-}" ]; then
  admin_password="$KAFRU_ADMIN_PASSWORD"
  admin_note="from KAFRU_ADMIN_PASSWORD"
else
  passwords=$(plain_log | grep -o 'kafru generated the admin password.*: [A-Za-z0-9_-]*' | sed 's/.*: //' || true)
  [ "$(printf '%s\n' "$passwords" | grep -c .)" = 1 ] || die "expected one generated admin password in $payara_log, found: $passwords"
  admin_password=$passwords
  admin_note="generated at start (set KAFRU_ADMIN_PASSWORD to choose it)"
fi
[ -n "$admin_password" ] || die "no admin password: neither KAFRU_ADMIN_PASSWORD nor a generated one in $payara_log"

# "kafru is running" only once everything a user reaches answers as documented: the JAX-RS
# application and the dashboard start after the CDI beans that run the hello task.
answers() { # path user:password -> the body of a 200 answer
  curl -sf --max-time 5 ${2:+-u "$2"} "http://localhost:$HTTP_PORT$1"
}
handlers=
until handlers=$(answers /kafru/api/handlers "$admin_user:$admin_password") \
    && answers /kafru/ "$admin_user:$admin_password" >/dev/null \
    && answers /health/ready >/dev/null; do
  handlers=
  alive_or_die
  [ "$SECONDS" -lt "$deadline" ] || die "the admin API, the dashboard or /health/ready did not answer 200 within ${HELLO_TIMEOUT}s (user $admin_user; see $payara_log)"
  sleep 0.5
done

cat <<EOF

kafru is running ($((SECONDS - started))s)
  SurrealDB     ws://$SURREAL_HOST:$SURREAL_PORT/rpc  (user kafru_admin, data in target/surrealdb-data)
  Payara Micro  http://localhost:$HTTP_PORT  (kafru.war at /; health: http://localhost:$HTTP_PORT/health)
  hello task    $hello_line
  admin API     http://localhost:$HTTP_PORT/kafru/api  (user $admin_user, password $admin_password, $admin_note)
                GET /handlers answered $handlers; OpenAPI at http://localhost:$HTTP_PORT/openapi
  dashboard     http://localhost:$HTTP_PORT/kafru/  (the browser asks for the same user and password)
  logs          $payara_log, $surreal_log
EOF

if [ "$once" = 1 ]; then
  say "--once: the hello task ran; stopping"
  exit 0
fi

echo "press Ctrl-C to stop"
# Stay in the foreground until Ctrl-C / SIGTERM (the traps stop both servers), or until one of
# them dies on its own.
while kill -0 "$payara_pid" 2>/dev/null && kill -0 "$surreal_pid" 2>/dev/null; do
  sleep 1 &
  wait $! || true
done
if ! kill -0 "$payara_pid" 2>/dev/null; then
  die "Payara Micro stopped on its own (see $payara_log)"
fi
die "the SurrealDB launcher stopped on its own (see $surreal_log)"
