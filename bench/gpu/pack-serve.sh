#!/usr/bin/env bash
# Builds .device/ for a serving run on the GPU machine: a stripped Java runtime, the server's runtime jars (JCuda's
# natives cut to the driver binding), the bench jar and stories260K, plus run-serve.sh, which starts the server
# on the CUDA backend, runs the load generator at several concurrencies and stops the server. No JUnit here: the
# whole kit must stay under the device tool's 64 MiB. Run after a full package build (api/target/lib exists).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
dev=.device
shared=${JSERVE_SHARED:-$root/../shared}
m2=${M2_REPO:-$HOME/.m2/repository}
rm -rf "$dev"
mkdir -p "$dev/lib" "$dev/models"
"$shared/gpu/make-runtime.sh" "$dev/jre" >/dev/null
strip --strip-unneeded "$dev/jre/lib/server/libjvm.so"
cp api/target/lib/*.jar "$dev/lib/"
rm -f "$dev"/lib/jcuda-natives-*.jar "$dev"/lib/jline-*.jar "$dev"/lib/progressbar-*.jar
cp "$m2/org/jcuda/jcuda-natives/12.6.0/jcuda-natives-12.6.0-linux-x86_64.jar" "$dev/lib/jcuda-natives.jar"
chmod u+w "$dev/lib/jcuda-natives.jar"
zip -q -d "$dev/lib/jcuda-natives.jar" 'lib/libJNvPTXCompiler-*' 'lib/libJNvrtc-*' 'lib/libJCudaRuntime-*' || true
cp api/target/api-*.jar "$dev/lib/api.jar"
cp bench/target/bench-*.jar "$dev/lib/bench.jar"
cp "$shared/models/stories260K.gguf" "$dev/models/"
cat >"$dev/run-serve.sh" <<'RUN'
#!/usr/bin/env bash
# Serves MODEL (default stories260K) on the CUDA backend and load-tests it: run-serve.sh [MODEL [VOCAB_SIZE]].
cd "$(dirname "$0")"
model=${1:-models/stories260K.gguf}
vocab=${2:-512}
java="jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx16g"
$java -Djava.util.logging.SimpleFormatter.format='%1$tT %4$-7s %3$s: %5$s%6$s%n' -cp "lib/*" \
  io.jserve.api.cli.ServeCommand --model "$model" --backend cuda --port 8765 > serve.log 2>&1 &
pid=$!
for i in $(seq 1 120); do
  curl -sf http://127.0.0.1:8765/health >/dev/null && break
  sleep 0.5
done
grep -E "cuda|KV pool|warm-up" serve.log | head -5
for c in 1 4 8 32; do
  echo "== concurrency $c"
  $java -cp "lib/*" io.jserve.bench.serve.ServeBenchCommand --base-url http://127.0.0.1:8765 \
    --num-prompts $((c * 8)) --max-concurrency $c --random-input-len 32 --random-output-len 128 --vocab-size "$vocab"
done
kill "$pid"; wait "$pid" 2>/dev/null
RUN
chmod +x "$dev/run-serve.sh"
du -sh "$dev" | sed 's/^/[serve kit] /'
