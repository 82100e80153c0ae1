# Sourced by the bin/ scripts: finds a JDK 25+ (JAVA_HOME, then the usual install folders), exports
# JAVA_HOME, and builds the project when its jars are missing or older than the sources.
# shellcheck shell=bash

jserve_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

jserve_java_feature() { # prints the feature version of the JDK at $1, or nothing
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1
}

jserve_find_jdk() {
  local candidate v
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*2[6-9]* \
                   /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    v=$(jserve_java_feature "$candidate")
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

JAVA_HOME=$(jserve_find_jdk) || {
  echo "jserve needs a JDK 25 or newer and found none: install Temurin 25 (e.g. apt-get install temurin-25-jdk from adoptium.net) and set JAVA_HOME." >&2
  exit 1
}
export JAVA_HOME

jserve_app_dir="$jserve_root/api/target"

# Builds when the runnable jars are missing or any source/pom is newer than them.
jserve_ensure_built() {
  local stamp="$jserve_app_dir/lib/.built"
  if [ -f "$stamp" ] && [ -z "$(find "$jserve_root" -path "$jserve_root/*/target" -prune -o \
        \( -name '*.java' -o -name 'pom.xml' -o -name '*.cu' -o -path '*/resources/*' \) -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  echo "jserve: building (first run or sources changed)..." >&2
  (cd "$jserve_root" && ./mvnw -B -ntp -q -DskipTests install) >&2 || { echo "jserve: build failed" >&2; exit 1; }
  touch "$stamp"
}

# Runs a main class of the api module with the project's JVM flags.
jserve_run_main() {
  local main=$1; shift
  exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -XX:+UseParallelGC -XX:MaxNewSize=64m -Xmx2g -Djava.util.logging.SimpleFormatter.format='%1$tT %4$-7s %3$s: %5$s%6$s%n' \
    -Djserve.root="$jserve_root" ${JSERVE_JAVA_OPTS:-} \
    -cp "$jserve_app_dir/classes:$jserve_app_dir/lib/*" "$main" "$@"
}
