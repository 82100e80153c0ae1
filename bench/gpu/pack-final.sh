#!/usr/bin/env bash
# Builds .device/kit.tar.xz: everything a GPU machine (no Java, no Maven, no network) needs to run the native
# tests, the CUDA end-to-end test, bin/generate and a serving load test on the CUDA backend. The Java runtime
# includes java.desktop (Jinjava's chat templates need java.beans), which is too large to carry uncompressed
# under the device tool's 64 MiB, hence xz. Run after `./mvnw -B -ntp -DskipTests package` (tests compiled).
# On the device: cd .device && tar xJf kit.tar.xz && kit/run-all.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
shared=${JSERVE_SHARED:-$root/../shared}
m2=${M2_REPO:-$HOME/.m2/repository}
jdk=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
stage=$(mktemp -d)/kit
mkdir -p "$stage/lib" "$stage/models"
"$jdk/bin/jlink" --add-modules java.base,java.logging,java.management,java.net.http,jdk.unsupported,jdk.incubator.vector,jdk.zipfs,java.desktop \
  --strip-debug --no-header-files --no-man-pages --compress=zip-0 --output "$stage/jre"
strip --strip-unneeded "$stage/jre/lib/server/libjvm.so"
cp api/target/lib/*.jar "$stage/lib/"
rm -f "$stage"/lib/jcuda-natives-*.jar
cp "$m2/org/jcuda/jcuda-natives/12.6.0/jcuda-natives-12.6.0-linux-x86_64.jar" "$stage/lib/jcuda-natives.jar"
chmod u+w "$stage/lib/jcuda-natives.jar"
zip -q -d "$stage/lib/jcuda-natives.jar" 'lib/libJNvPTXCompiler-*' 'lib/libJNvrtc-*' 'lib/libJCudaRuntime-*' || true
cp api/target/api-*.jar bench/target/bench-*.jar "$stage/lib/"
cp "$m2/org/junit/platform/junit-platform-console-standalone/1.14.1/junit-platform-console-standalone-1.14.1.jar" "$stage/junit-console.jar"
cp -r native/target/test-classes "$stage/native-tests"
cp -r tests/target/test-classes "$stage/e2e-tests"
cp "$shared/models/stories260K.gguf" "$stage/models/"
# the six reference architectures (CudaArchGoldenTest) and llama.cpp's quantized tensors (CudaWidenedLlamaCppTest)
mkdir -p "$stage/models/reference"
cp "$shared"/models/reference/arch-*.gguf "$shared"/models/reference/arch-*.json "$shared"/models/reference/quant-*.gguf \
  "$shared"/models/reference/quant-*.f32 "$stage/models/reference/"
cat >"$stage/run-all.sh" <<'RUN'
#!/usr/bin/env bash
# Native kernel tests, the CUDA end-to-end test, bin/generate on cuda, and a serving load test; logs to $OUT.
cd "$(dirname "$0")"
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
java="jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m -Xmx16g"
cp=$(ls lib/*.jar | tr '\n' ':')
junit() { timeout 300 $java -Djserve.sharedModels=models -jar junit-console.jar execute --disable-banner \
  --details=tree --details-theme=ascii --disable-ansi-colors -cp "$1:$cp" "${@:2}"; }
echo "== native tests"; junit native-tests --select-package io.jserve.cuda 2>&1 | tee "$OUT/native-tests.txt" \
  | grep -E "\[X\]|tests (successful|failed|skipped)" | head -20
echo "== CUDA end-to-end"; junit e2e-tests --select-class io.jserve.tests.cuda.CudaEndToEndTest 2>&1 \
  | tee "$OUT/e2e.txt" | grep -E "\[X\]|tests (successful|failed|skipped)|expected" | head -20
echo "== CUDA reference architectures"; junit e2e-tests --select-class io.jserve.tests.cuda.CudaArchGoldenTest 2>&1 \
  | tee "$OUT/arch.txt" | grep -E "\[X\]|tests (successful|failed|skipped)|expected" | head -20
echo "== generate"; timeout 120 $java -cp "$cp" io.jserve.api.cli.GenerateCommand --model models/stories260K.gguf \
  --prompt "Once upon a time" --max-tokens 32 --temperature 0 --backend cuda 2>&1 | grep -v INFO | tee "$OUT/generate.txt"
echo "== serve"
$java -Djava.util.logging.SimpleFormatter.format='%1$tT %4$-7s %3$s: %5$s%6$s%n' -cp "$cp" \
  io.jserve.api.cli.ServeCommand --model models/stories260K.gguf --backend cuda --port 8765 > "$OUT/serve.log" 2>&1 &
pid=$!
for i in $(seq 1 120); do curl -sf http://127.0.0.1:8765/health >/dev/null && break; sleep 0.5; done
grep -E "cuda|KV pool|warm-up" "$OUT/serve.log" | head -5
curl -s http://127.0.0.1:8765/v1/chat/completions -H 'Content-Type: application/json' \
  -d '{"messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":16,"temperature":0}' | head -c 600; echo
for c in 1 4 8 32; do
  echo "== concurrency $c"
  timeout 120 $java -cp "$cp" io.jserve.bench.serve.ServeBenchCommand --base-url http://127.0.0.1:8765 \
    --num-prompts $((c * 8)) --max-concurrency $c --random-input-len 32 --random-output-len 128 --vocab-size 512 \
    | grep -E "Output token throughput|Median (TTFT|TPOT|ITL)|Successful|Failed"
done 2>&1 | tee "$OUT/serve-bench.txt"
kill "$pid"; wait "$pid" 2>/dev/null
RUN
chmod +x "$stage/run-all.sh"
mkdir -p .device
rm -f .device/kit.tar.xz
tar -C "$(dirname "$stage")" -cJf .device/kit.tar.xz kit
rm -rf "$(dirname "$stage")"
du -sh .device/kit.tar.xz | sed 's/^/[final kit] /'
