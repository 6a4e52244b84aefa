#!/usr/bin/env bash
# The queue benchmark: src/scripts/bench.sh [tasks] [threads] [repeats]   (defaults 20000 16 3)
# Starts its own SurrealDB launcher on 127.0.0.1 (RocksDB) and prints tasks/s and latency.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d src/surrealdb/node_modules ] || npm ci --prefix src/surrealdb --no-audit --no-fund
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java -Djava.io.tmpdir=target -Dkafru.launcher.dir=src/surrealdb \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.kafru.bench.QueueBenchmark "$@"
