#!/usr/bin/env bash
# Deploys target/kafru.war on WildFly 39 (which has no MicroProfile Metrics) next to the SurrealDB
# launcher, inside a loopback-only network namespace, and checks that it deploys, runs the sample
# task, reports SurrealDB UP in /health/ready, and that the admin API refuses anonymous and wrong
# credentials with 401 problems and answers the generated admin password. Not part of test.sh: it downloads 261 MB.
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
  # kafru's admin users are its own, not Elytron's: let Jakarta Security's mechanism log them in
  # without Elytron checking them against its ApplicationDomain (integrated-jaspi=false)
  sed 's|<application-security-domain name="other" security-domain="ApplicationDomain"/>|<application-security-domain name="other" security-domain="ApplicationDomain" integrated-jaspi="false"/>|' \
    "$WF/standalone/configuration/standalone-microprofile.xml" > "$WF/standalone/configuration/standalone-kafru.xml"
  "$WF/bin/standalone.sh" -c standalone-kafru.xml -b 127.0.0.1 -bmanagement 127.0.0.1 > $WORK/wildfly.out 2>&1 &
  local wildfly=$!
  local verdict=1
  for _ in $(seq 1 180); do
    if [ -f "$WF/standalone/deployments/kafru.war.failed" ]; then break; fi
    if grep -q "Hello, kafru!" "$WF/standalone/log/server.log" 2>/dev/null; then verdict=0; break; fi
    sleep 1
  done
  # the admin API (kafru.war's context root on WildFly is /kafru): Basic with the generated password
  local password api=http://127.0.0.1:8080/kafru/kafru/api
  password=$(grep -o 'kafru generated the admin password.*: [A-Za-z0-9_-]*' "$WF/standalone/log/server.log" | tail -n 1 | sed 's/.*: //')
  local anonymous wrong handlers pushed
  anonymous=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' $api/handlers || true)
  wrong=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' -u admin:wrong $api/handlers || true)
  handlers=$(curl -s -w ' %{http_code}' -u "admin:$password" $api/handlers || true)
  pushed=$(curl -s -o /dev/null -w '%{http_code}' -u "admin:$password" -H 'Content-Type: application/json' \
    -d '{"handler": "hello", "parameters": {"name": "WildFly"}}' $api/tasks || true)
  echo "admin API: anonymous -> $anonymous; wrong password -> $wrong; admin GET /handlers -> $handlers; POST /tasks -> $pushed"
  case "$anonymous" in "401 application/problem+json"*) ;; *) verdict=1 ;; esac
  case "$wrong" in "401 application/problem+json"*) ;; *) verdict=1 ;; esac
  case "$handlers" in '["hello"] 200') ;; *) verdict=1 ;; esac
  [ "$pushed" = 201 ] || verdict=1
  local ready
  ready=$(curl -s http://127.0.0.1:9990/health/ready || true)
  grep -E "dev.kafru|WELD-|ERROR" "$WF/standalone/log/server.log" | cut -c1-240 || true
  echo "ready: $ready"
  case "$ready" in *'"kafru-surrealdb","status":"UP"'*) ;; *) verdict=1 ;; esac
  kill $wildfly 2>/dev/null; pkill -f "$WF/jboss-modules.jar" 2>/dev/null || true
  kill $launcher 2>/dev/null; wait 2>/dev/null || true
  if [ $verdict = 0 ]; then echo "WildFly check: kafru.war deployed, ran the sample task, admin API secured and answering"; else echo "WildFly check FAILED"; fi
  return $verdict
}
export -f run
export WORK WF
if [ "$(id -u)" = 0 ]; then exec unshare -n bash -c 'ip link set lo up && run'; else exec unshare -rn bash -c 'ip link set lo up && run'; fi
