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
# surrealdb.log, payara.log, payara-root/.
# Needs Java 17, Maven, Node 20 and npm.
set -euo pipefail
cd "$(dirname "$0")/../.."

SURREAL_HOST=127.0.0.1
SURREAL_PORT=4030
HTTP_PORT=8080
PAYARA_VERSION=6.2025.10
SURREAL_TIMEOUT=60
HELLO_TIMEOUT=180

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
}

once="${KAFRU_RUN_ONCE:-0}"
for arg in "$@"; do
  case "$arg" in
    --once) once=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

started=$SECONDS
say() { printf '[run.sh %3ds] %s\n' "$((SECONDS - started))" "$*"; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

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
    fi
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # Payara first, so that kafru closes its connection before the database goes away.
  stop_pid "Payara Micro" "$payara_pid" 30
  payara_pid=
  stop_pid "SurrealDB launcher" "$surreal_pid" 15
  surreal_pid=
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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
if port_in_use "$SURREAL_PORT"; then
  die "port $SURREAL_PORT is already in use (another SurrealDB or launcher?): stop what listens there first:
$(ss -Hltnp "sport = :$SURREAL_PORT" 2>/dev/null || true)"
fi
if port_in_use "$HTTP_PORT"; then
  die "port $HTTP_PORT is already in use (another Payara Micro?): stop what listens there first:
$(ss -Hltnp "sport = :$HTTP_PORT" 2>/dev/null || true)"
fi

mkdir -p target
surreal_log=target/surrealdb.log
say "starting the SurrealDB launcher on $SURREAL_HOST:$SURREAL_PORT (log: $surreal_log)"
node src/surrealdb/server.mjs start -u kafru_admin -p kafru_password \
  -b "$SURREAL_HOST:$SURREAL_PORT" rocksdb://target/surrealdb-data >"$surreal_log" 2>&1 &
surreal_pid=$!

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

payara_log=target/payara.log
say "starting Payara Micro on localhost:$HTTP_PORT with target/kafru.war (log: $payara_log)"
java -Djava.io.tmpdir=target -jar target/payara-micro.jar \
  --deploy target/kafru.war --contextroot / --port "$HTTP_PORT" \
  --nocluster --nohazelcast --disablephonehome \
  --prebootcommandfile "$preboot" --rootdir target/payara-root >"$payara_log" 2>&1 &
payara_pid=$!

# ---------------------------------------------------------------------------------------
# 5. Wait until the sample `hello` task has run
# ---------------------------------------------------------------------------------------
say "waiting for the sample hello task (up to ${HELLO_TIMEOUT}s; Payara Micro's first start takes a while)"
deadline=$((SECONDS + HELLO_TIMEOUT))
until grep -q 'Hello, kafru!' "$payara_log" 2>/dev/null; do
  if ! kill -0 "$payara_pid" 2>/dev/null; then
    wait "$payara_pid" 2>/dev/null || true
    payara_pid=
    tail -n 60 "$payara_log" >&2
    die "Payara Micro exited before the hello task ran (last lines of $payara_log above)"
  fi
  if ! kill -0 "$surreal_pid" 2>/dev/null; then
    tail -n 30 "$surreal_log" >&2
    die "the SurrealDB launcher exited unexpectedly (last lines of $surreal_log above)"
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    tail -n 60 "$payara_log" >&2
    die "no 'Hello, kafru!' in $payara_log within ${HELLO_TIMEOUT}s (last lines above)"
  fi
  sleep 0.5
done
# The handler's line without Payara's colours and record prefix: "<time> Hello, kafru! (...)".
hello_line=$(grep -m1 'Hello, kafru!' "$payara_log" | sed -e 's/\x1b\[[0-9;]*m//g' \
  -e 's/^\[\([^]]*\)\].*\(Hello, kafru!.*\)$/\1  \2/')

# The admin API's credentials: as configured, or the password kafru generated and logged.
admin_user="${KAFRU_ADMIN_USERNAME:-admin}"
if [ -n "${KAFRU_ADMIN_PASSWORD:-}" ]; then
  admin_password="$KAFRU_ADMIN_PASSWORD"
  admin_note="from KAFRU_ADMIN_PASSWORD"
else
  admin_password=$(sed -e 's/\x1b\[[0-9;]*m//g' "$payara_log" \
    | grep -o 'kafru generated the admin password.*: [A-Za-z0-9_-]*' | tail -n 1 | sed 's/.*: //')
  admin_note="generated at start (set KAFRU_ADMIN_PASSWORD to choose it)"
fi
[ -n "$admin_password" ] || die "no admin password: neither KAFRU_ADMIN_PASSWORD nor a generated one in $payara_log"
# the admin API may answer 404 for a moment after the hello task ran: the JAX-RS application
# starts after the CDI beans that run the task
handlers=
for _ in $(seq 1 60); do
  if handlers=$(curl -sf -u "$admin_user:$admin_password" "http://localhost:$HTTP_PORT/kafru/api/handlers"); then
    break
  fi
  handlers=
  sleep 1
done
[ -n "$handlers" ] || die "the admin API did not answer GET /kafru/api/handlers as $admin_user within 60s"

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
