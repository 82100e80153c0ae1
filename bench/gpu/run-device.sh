#!/usr/bin/env bash
# One device call's worth of GPU measurements, run from the repository root on the device machine with .device
# carried (native/scripts/pack-device.sh + bench/gpu/pack-e2e.sh). Logs go to $OUT (at most 8 files come back).
#   bash bench/gpu/run-device.sh [STEPS...]   STEPS from: tests models decode logits hf old profile bench ncu
#   (default: all but ncu)
# "logits" compares a step that copies every row of logits to the host (the engine before logit summaries) with
# the default, which summarizes them on the device (sampling.cu).
# "old" needs .device/old/native.jar (the backend before tuning); the decode floors use the copy bandwidth
# measured by run-bench.sh (3009 GB/s on the H100 of the first run) unless BW is set.
set -uo pipefail
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
cd .device
BW=${BW:-3009}
steps=${*:-tests models decode logits hf old profile bench}
ncu=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu /usr/local/cuda/bin/ncu 2>/dev/null | head -1)
java="jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx24g"
newcp="lib/*"
oldcp=$(ls lib/*.jar | grep -v '/native.jar$' | tr '\n' ':')old/native.jar
decode() {  # CLASSPATH MODEL BATCHES... (extra JVM flags in JFLAGS)
  local cp=$1 model=$2; shift 2
  timeout 240 $java ${JFLAGS:-} -cp "$cp" io.jserve.bench.decode.DecodeBench "$model" cuda 1024 16 "$BW" "$@"
}
has() { [[ " $steps " == *" $1 "* ]]; }
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.mem --format=csv | tee "$OUT/gpu.txt"
if has tests; then
  echo "== native tests"; timeout 300 ./run-tests.sh 2>&1 | tee "$OUT/tests.txt" | grep -E "tests (successful|failed)|MethodSource|Exception|expected" | head -40
fi
if has models; then
  echo "== synthetic models"
  for spec in "llama-3.2-1b F16 l1b" "llama-3-8b F16 l8b" "llama-3-8b Q8_0 l8q" "llama-3-8b Q4_K l8k"; do
    set -- $spec
    [ -f /tmp/$3.gguf ] || timeout 120 ./run-java.sh io.jserve.bench.synthetic.SyntheticModelWriter --preset $1 --type $2 \
      -o /tmp/$3.gguf 2>&1 | tail -1
  done
fi
if has decode; then
  { echo "== decode (tuned)"
    decode "$newcp" /tmp/l1b.gguf 1 8 64 256
    decode "$newcp" /tmp/l8b.gguf 1 8 64 256
    decode "$newcp" /tmp/l8q.gguf 1 8 64 256
    echo "== decode: 64-token F16 products through shared memory (-Djserve.cuda.mm64=smem)"
    JFLAGS=-Djserve.cuda.mm64=smem decode "$newcp" /tmp/l8b.gguf 1 64 256
    JFLAGS=-Djserve.cuda.mm64=smem decode "$newcp" /tmp/l1b.gguf 64 256
    echo "== decode: Q4_K kept in its blocks (kquant.cu), then widened to F16 at load (-Djserve.cuda.kquants=f16)"
    decode "$newcp" /tmp/l8k.gguf 1 8 64
    JFLAGS=-Djserve.cuda.kquants=f16 decode "$newcp" /tmp/l8k.gguf 1 8 64
  } 2>&1 | grep -v "^WARNING" | tee "$OUT/decode.txt"
fi
if has logits; then
  { echo "== decode: every logits row copied to the host (-Djserve.bench.logits=full), then summarized on the device"
    for model in /tmp/l1b.gguf /tmp/l8b.gguf; do
      JFLAGS=-Djserve.bench.logits=full decode "$newcp" $model 1 64 256
      decode "$newcp" $model 1 64 256
    done
  } 2>&1 | grep -v "^WARNING" | tee "$OUT/decode-logits.txt"
fi
if has old && [ -f old/native.jar ]; then
  { echo "== decode (before tuning: old native.jar, f32 KV cache)"
    JFLAGS=-Djserve.cuda.kvCache=f32 decode "$oldcp" /tmp/l8b.gguf 1 8 64
    JFLAGS=-Djserve.cuda.kvCache=f32 decode "$oldcp" /tmp/l8q.gguf 1 8 64
  } 2>&1 | grep -v "^WARNING" | tee "$OUT/decode-old.txt"
fi
if has hf; then
  py=$(command -v /opt/torch/.venv/bin/python3 || command -v python3)
  { echo "== HF transformers baseline ($py)"
    PYTHONUNBUFFERED=1 timeout 300 "$py" py/hf_baseline.py llama-3.2-1b 1 64
    PYTHONUNBUFFERED=1 timeout 300 "$py" py/hf_baseline.py llama-3-8b 1 64
  } 2>&1 | grep -v -i "warn" | tee "$OUT/hf.txt"
fi
if has profile; then
  { echo "== per-kernel profile (events around every kernel, graphs off)"
    JFLAGS=-Djserve.cuda.profile=true decode "$newcp" /tmp/l1b.gguf 1
    JFLAGS=-Djserve.cuda.profile=true decode "$newcp" /tmp/l8b.gguf 64
  } 2>&1 | grep -v "^WARNING" | tee "$OUT/profile.txt" | grep -E "^\| (batch|[0-9])|all kernels"
fi
if has bench; then
  echo "== matmul bench"; timeout 200 ./run-bench.sh 2>&1 | tee "$OUT/bench.txt"
fi
if has ncu && [ -n "$ncu" ]; then
  { echo "== ncu ($ncu): matrix kernels at 1 and 64 tokens, 14336 x 4096 F16"
    for k in "mm_f16_n1x 20" "mm_f16_n8 20"; do
      set -- $k
      timeout 120 "$ncu" --target-processes all --kernel-name "$1" --launch-skip "$2" --launch-count 1 \
        --section SpeedOfLight --section Occupancy --section WarpStateStats --section MemoryWorkloadAnalysis \
        --section LaunchStats jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
        -cp "test-classes:lib/*" io.jserve.cuda.CudaMatmulBench F16 14336x4096
    done
  } 2>&1 | grep -v "^WARNING" > "$OUT/ncu.txt"
  grep -E "Duration|DRAM Throughput|Memory Throughput|Achieved Occupancy|Registers Per|Stall|Cycles Per Issued|Block Limit" "$OUT/ncu.txt" | head -40
fi
