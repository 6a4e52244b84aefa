#!/usr/bin/env bash
# Deploys target/kafru.war on WildFly 39 (which has no MicroProfile Metrics) next to the SurrealDB
# launcher, inside a loopback-only network namespace, and checks that it deploys, runs the sample
# task and reports SurrealDB UP in /health/ready. Not part of test.sh: it downloads 261 MB.
#   src/scripts/wildfly-check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
WF_VERSION=39.0.1.Final
WORK=target/wildfly
WF=$WORK/wildfly-$WF_VERSION
[ -d src/surrealdb/node_modules ] || npm ci --prefix src/surrealdb --no-audit --no-fund
[ -f target/kafru.war ] || mvn -B -q package -Dmaven.test.skip=true
if [ ! -d "$WF" ]; then
  mvn -B -q dependency:copy -Dartifact=org.wildfly:wildfly-dist:$WF_VERSION:zip -DoutputDirectory=$WORK
  unzip -q -o $WORK/wildfly-dist-$WF_VERSION.zip -d $WORK
fi
run() {
  set -u
  rm -rf "$WORK/data" && mkdir -p "$WORK/data"
  node src/surrealdb/server.mjs start -u kafru_admin -p kafru_password -b 127.0.0.1:4030 "rocksdb://$WORK/data" > $WORK/launcher.log 2>&1 &
  local launcher=$!
  rm -f "$WF"/standalone/deployments/kafru.war*
  cp target/kafru.war "$WF/standalone/deployments/"
  : > "$WF/standalone/log/server.log" 2>/dev/null || true
  "$WF/bin/standalone.sh" -c standalone-microprofile.xml -b 127.0.0.1 -bmanagement 127.0.0.1 > $WORK/wildfly.out 2>&1 &
  local wildfly=$!
  local verdict=1
  for _ in $(seq 1 180); do
    if [ -f "$WF/standalone/deployments/kafru.war.failed" ]; then break; fi
    if grep -q "Hello, kafru!" "$WF/standalone/log/server.log" 2>/dev/null; then verdict=0; break; fi
    sleep 1
  done
  local ready
  ready=$(curl -s http://127.0.0.1:9990/health/ready || true)
  grep -E "dev.kafru|WELD-|ERROR" "$WF/standalone/log/server.log" | cut -c1-240 || true
  echo "ready: $ready"
  case "$ready" in *'"kafru-surrealdb","status":"UP"'*) ;; *) verdict=1 ;; esac
  kill $wildfly 2>/dev/null; pkill -f "$WF/jboss-modules.jar" 2>/dev/null || true
  kill $launcher 2>/dev/null; wait 2>/dev/null || true
  if [ $verdict = 0 ]; then echo "WildFly check: kafru.war deployed and ran the sample task"; else echo "WildFly check FAILED"; fi
  return $verdict
}
export -f run
export WORK WF
if [ "$(id -u)" = 0 ]; then exec unshare -n bash -c 'ip link set lo up && run'; else exec unshare -rn bash -c 'ip link set lo up && run'; fi
