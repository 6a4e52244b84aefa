#!/usr/bin/env bash
# Runs every test: the dashboard's logic and the SurrealDB launcher's CBOR framing (Node's test
# runner), unit tests against the real SurrealDB engine (src/surrealdb, RocksDB), the Arquillian
# integration tests on Payara Micro, and kafru.war on WildFly 39 and Payara Server 6.
#
# Dependencies are fetched first, with the network; the tests then run inside a loopback-only
# network namespace, so that nothing but 127.0.0.1 can be reached and Payara Micro advertises
# localhost (see docs/development.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -d src/surrealdb/node_modules ] || [ src/surrealdb/package-lock.json -nt src/surrealdb/node_modules ]; then
  npm ci --prefix src/surrealdb --no-audit --no-fund
fi

# The dashboard: its logic and its page (in jsdom, from src/test/js/package-lock.json). The same
# lock brings playwright-core, with which DashboardBrowserIT drives /usr/bin/chromium (Debian's;
# playwright-core never downloads a browser) — installed here, before the network is gone.
if [ ! -d src/test/js/node_modules ] || [ src/test/js/package-lock.json -nt src/test/js/node_modules ]; then
  npm ci --prefix src/test/js --no-audit --no-fund
fi
node --check src/main/webapp/kafru/app.mjs
node --check src/test/js/browser/scenarios.mjs
node --test src/test/js/

# The SurrealDB launcher: every module parses, its CBOR framing and its engine threads (src/surrealdb/test/).
for f in src/surrealdb/server.mjs src/surrealdb/lib/*.mjs; do node --check "$f"; done
node --test src/surrealdb/test/

# Resolve everything the offline run needs: plugins, test providers, the WAR, Payara Micro, the
# WildFly and Payara Server zips (kept in ~/.m2, unpacked under target/servers); install puts
# dev.kafru:kafru:classes in the local repository, and building the sample application
# (src/test/sample-app, which depends on it) fetches what its offline build in SampleApplicationIT needs.
mvn -B -q install -Dtest=SurrealCborTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=NoSuchIT -Dfailsafe.failIfNoSpecifiedTests=false
mvn -B -q -f src/test/sample-app/pom.xml package

if [ "$(id -u)" = 0 ]; then
  exec unshare -n sh -c 'ip link set lo up && mvn -o -B verify "$@"' sh "$@"
else
  exec unshare -rn sh -c 'ip link set lo up && mvn -o -B verify "$@"' sh "$@"
fi
