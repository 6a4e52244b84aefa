# The Java and Node versions run.sh and test.sh support, checked before anything is built; sourced
# by both. Supported: Java 17, 21 and 25; Node 20, 22 and 24.

# JAVA_HOME, when set, decides the Java: it goes first on PATH, so that Maven, `java -jar` and the
# servers the tests start (Payara Micro, WildFly's and Payara Server's scripts) all use the same.
require_java() {
  if [ -n "${JAVA_HOME:-}" ]; then
    [ -x "$JAVA_HOME/bin/java" ] || { echo "JAVA_HOME=$JAVA_HOME has no bin/java: point it at a JDK 17, 21 or 25" >&2; exit 1; }
    export PATH="$JAVA_HOME/bin:$PATH"
  fi
  command -v java >/dev/null 2>&1 || { echo "no java on PATH: install a JDK 17, 21 or 25 (or set JAVA_HOME)" >&2; exit 1; }
  # `openjdk version "17.0.15" 2025-04-15`, `openjdk version "25" 2025-09-16`, `java version "1.8.0_402"`
  local version major
  version=$(java -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
  major=${version%%.*}
  [ "$major" = 1 ] && major=$(echo "$version" | cut -d. -f2)
  case "$major" in
    17|21|25) ;;
    ''|*[!0-9]*) echo "could not read the Java version from 'java -version' ($(java -version 2>&1 | head -n 1))" >&2; exit 1 ;;
    *) if [ "$major" -lt 17 ]; then
         echo "Java $version is too old: kafru needs Java 17, 21 or 25 (set JAVA_HOME to one)" >&2; exit 1
       fi
       echo "note: Java $version is not one of the tested versions (17, 21, 25)" >&2 ;;
  esac
}

require_node() {
  command -v node >/dev/null 2>&1 || { echo "no node on PATH: install Node 20, 22 or 24 (with npm)" >&2; exit 1; }
  local version major
  version=$(node --version)
  major=${version#v}
  major=${major%%.*}
  case "$major" in
    20|22|24) ;;
    *) if [ "$major" -lt 20 ]; then
         echo "Node $version is too old: kafru's SurrealDB launcher and tests need Node 20, 22 or 24" >&2; exit 1
       fi
       echo "note: Node $version is not one of the tested versions (20, 22, 24)" >&2 ;;
  esac
}

# pinned_node VERSION: prints the path of that exact Node, installed once from npm's node-linux-*
# package into a cache directory (nothing on PATH changes).
pinned_node() {
  local version=$1 arch package dir exe
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) echo "no npm package of Node for $(uname -m)" >&2; return 1 ;;
  esac
  package="node-linux-$arch"
  dir="${KAFRU_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kafru/node}/$package-$version"
  exe="$dir/node_modules/$package/bin/node"
  if [ ! -x "$exe" ] || [ "$("$exe" --version 2>/dev/null)" != "v$version" ]; then
    echo "installing Node $version ($package@$version from npm) into $dir" >&2
    rm -rf "$dir.partial" "$dir"
    mkdir -p "$dir.partial"
    npm install --prefix "$dir.partial" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
        "$package@$version" >&2
    mv "$dir.partial" "$dir"
    [ "$("$exe" --version)" = "v$version" ] || { echo "$exe is not Node $version" >&2; return 1; }
  fi
  echo "$exe"
}
