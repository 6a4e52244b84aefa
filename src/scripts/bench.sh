#!/usr/bin/env bash
# The benchmark: kafru against db-scheduler and JobRunr on this machine, in one run.
#   src/scripts/bench.sh [--tasks N] [--threads T] [--runs R] [--mode plain|container|scale|all]
# (src/scripts/bench.sh --help for all options). Starts its own SurrealDB launcher on 127.0.0.1
# (RocksDB), runs every measurement in a JVM of its own, and prints medians [min–max], latency
# and the kafru/peer ratios. The peers come from the Maven profile "bench" only.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d src/surrealdb/node_modules ] || npm ci --prefix src/surrealdb --no-audit --no-fund
mvn -B -q -Pbench package -DskipTests
mvn -B -q -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
if [ ! -f target/payara-micro.jar ]; then
  mvn -B -q dependency:copy -Dartifact=fish.payara.extras:payara-micro:6.2025.10 -DoutputDirectory=target -Dmdep.stripVersion=true
fi
exec java -Djava.io.tmpdir=target -Dkafru.launcher.dir=src/surrealdb -Dpayara.microJar=target/payara-micro.jar \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.kafru.bench.Bench "$@"
