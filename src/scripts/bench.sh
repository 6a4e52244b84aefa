#!/usr/bin/env bash
# The benchmark: kafru against db-scheduler and JobRunr on this machine, in one run.
#   src/scripts/bench.sh [--mode plain|container|scale|timing|all] [--runs R] [--tasks N] [--warmup W]
#   src/scripts/bench.sh --mode soak --minutes M [--rate R]   (not in CI: steady load with retention on, a line and CSV row a minute)
# (src/scripts/bench.sh --help for all options; the default run takes about 13 minutes on 2 cores).
# Starts its own SurrealDB launchers on 127.0.0.1 (RocksDB; a second one with the engine's deferred
# sync for the extra row) and a throw-away PostgreSQL cluster (Debian's server, 127.0.0.1, fsync
# on) for the peers' PostgreSQL rows, runs every measurement in a JVM of its own, warmed the same
# way, and prints medians [min–max], the cold column, latency and the kafru/peer ratios. The peers
# come from the Maven profile "bench" only.
#
# PostgreSQL: run as root on Debian without it, this installs Debian's postgresql package (its
# server binaries; the cluster it may create is left alone, the benchmark runs one of its own);
# KAFRU_BENCH_NO_INSTALL=1 skips that, and the PostgreSQL rows are then skipped with the reason.
set -euo pipefail
command_line="src/scripts/bench.sh${*:+ $*}"
cd "$(dirname "$0")/../.."
if [[ "${1:-}" != -h && "${1:-}" != --help && " $* " != *" --mode soak "* ]] && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null \
    && [ "$(id -u)" = 0 ] && [ -z "${KAFRU_BENCH_NO_INSTALL:-}" ] && command -v apt-get >/dev/null; then
  mkdir -p target
  echo "bench.sh: installing Debian's postgresql for the peers' PostgreSQL rows (KAFRU_BENCH_NO_INSTALL=1 skips it)"
  { apt-get install -y -q postgresql || { apt-get update -q && apt-get install -y -q postgresql; }; } >target/apt-postgresql.log 2>&1 \
    || echo "bench.sh: could not install postgresql (see target/apt-postgresql.log); its rows will be skipped"
fi
# Maven 3.8 writes colour resets even with -B -q: keep them out of the benchmark's output
mvn_quiet() { mvn -B -q "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'; }
[ -d src/surrealdb/node_modules ] || npm ci --prefix src/surrealdb --no-audit --no-fund
mvn_quiet -Pbench package -DskipTests
mvn_quiet -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
if [ ! -f target/payara-micro.jar ]; then
  mvn_quiet dependency:copy -Dartifact=fish.payara.extras:payara-micro:6.2025.10 -DoutputDirectory=target -Dmdep.stripVersion=true
fi
exec java -Djava.io.tmpdir=target -Dkafru.bench.command="$command_line" -Dkafru.launcher.dir=src/surrealdb -Dpayara.microJar=target/payara-micro.jar \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.kafru.bench.Bench "$@"
