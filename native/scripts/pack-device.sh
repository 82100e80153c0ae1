#!/usr/bin/env bash
# Assembles .device/ (git-ignored) in the repository root: everything the GPU machine (no Java, no Maven, no
# network) needs to run the native module's tests and the kernel benchmark. Run here after
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 ./mvnw -B -ntp -o -DskipTests install   (or package)
# then carry ".device" with the device tool and run .device/run-tests.sh and .device/run-bench.sh there.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
dev=.device
shared=${JSERVE_SHARED:-$root/../shared}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
m2=${M2_REPO:-$HOME/.m2/repository}
jcuda_version=12.6.0
junit_console_version=1.14.1

mkdir -p "$dev/lib"
if [ ! -x "$dev/jre/bin/java" ]; then
  "$shared/gpu/make-runtime.sh" "$dev/jre"
fi

jar_of() {  # the module's main jar, not -sources/-tests
  ls "$1"/target/"$1"-*.jar 2>/dev/null | grep -v -e '-sources' -e '-tests' | head -1
}
for module in kernels native; do
  j=$(jar_of $module)
  [ -n "$j" ] || { echo "no $module jar: run ./mvnw -B -ntp -o -DskipTests package first" >&2; exit 1; }
  cp "$j" "$dev/lib/$module.jar"
done
unzip -l "$dev/lib/native.jar" | grep 'cuda/matmul.ptx' >/dev/null \
  || { echo "native.jar holds no PTX: build where nvcc is installed" >&2; exit 1; }
rm -rf "$dev/test-classes"
cp -r native/target/test-classes "$dev/test-classes"

cp "$m2/org/jcuda/jcuda/$jcuda_version/jcuda-$jcuda_version.jar" "$dev/lib/jcuda.jar"
# Only the driver binding is used: drop the 24 MB PTX compiler, NVRTC and the runtime binding.
cp "$m2/org/jcuda/jcuda-natives/$jcuda_version/jcuda-natives-$jcuda_version-linux-x86_64.jar" "$dev/lib/jcuda-natives.jar"
chmod u+w "$dev/lib/jcuda-natives.jar"
zip -q -d "$dev/lib/jcuda-natives.jar" 'lib/libJNvPTXCompiler-*' 'lib/libJNvrtc-*' 'lib/libJCudaRuntime-*' || true

console=$m2/org/junit/platform/junit-platform-console-standalone/$junit_console_version/junit-platform-console-standalone-$junit_console_version.jar
if [ ! -f "$console" ]; then
  ./mvnw -B -ntp -q dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:$junit_console_version
fi
cp "$console" "$dev/lib/junit-console.jar"

# What the GPU machine has (driver, CUDA, libcuda): seconds, run it in the same call.
if [ -f "$shared/gpu/probe.sh" ]; then cp "$shared/gpu/probe.sh" "$dev/probe.sh"; fi

cat >"$dev/run-tests.sh" <<'RUN'
#!/usr/bin/env bash
# Runs the native module's tests (io.jserve.cuda) on this machine's GPU; prints a tree and a summary.
cd "$(dirname "$0")"
java=${JAVA:-jre/bin/java}
cp=test-classes:lib/native.jar:lib/kernels.jar:lib/jcuda.jar:lib/jcuda-natives.jar
exec "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m \
  -jar lib/junit-console.jar execute --disable-banner --details=tree --details-theme=ascii --disable-ansi-colors \
  -cp "$cp" --select-package io.jserve.cuda "$@"
RUN
cat >"$dev/run-bench.sh" <<'RUN'
#!/usr/bin/env bash
# Copy bandwidth and matrix-product timings on this machine's GPU (io.jserve.cuda.CudaMatmulBench).
cd "$(dirname "$0")"
java=${JAVA:-jre/bin/java}
cp=test-classes:lib/native.jar:lib/kernels.jar:lib/jcuda.jar:lib/jcuda-natives.jar
exec "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g \
  -cp "$cp" io.jserve.cuda.CudaMatmulBench "$@"
RUN
chmod +x "$dev/run-tests.sh" "$dev/run-bench.sh"
du -sh "$dev" "$dev"/* | sed 's/^/[device kit] /'
