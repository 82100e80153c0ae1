#!/usr/bin/env bash
# Compiles src/main/cuda/*.cu to PTX (compute_80: the driver JIT-compiles it for sm_80 and sm_90 alike) into
# OUT_DIR, and assembles every module with ptxas for sm_80 and sm_90 so a kernel that does not assemble fails
# the build. Without nvcc it prints one line and succeeds: the cuda backend then reports itself unavailable.
# Usage: build-ptx.sh SRC_DIR OUT_DIR REPORT_FILE   (run by Maven at generate-resources)
# JSERVE_NVCC=/path/to/nvcc picks a compiler; JSERVE_NVCC=none builds without kernels, as a machine without nvcc.
set -euo pipefail
src=$1 out=$2 report=$3

nvcc=${JSERVE_NVCC:-$(command -v nvcc || true)}
if [ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ]; then nvcc=/usr/local/cuda/bin/nvcc; fi
if [ "$nvcc" = none ]; then nvcc=; fi
if [ -z "$nvcc" ]; then
  echo "[cuda] nvcc not found (PATH, /usr/local/cuda/bin): building without CUDA kernels; the cuda backend will be unavailable"
  exit 0
fi
ptxas=$(command -v ptxas || true)
if [ -z "$ptxas" ] && [ -x "$(dirname "$nvcc")/ptxas" ]; then ptxas=$(dirname "$nvcc")/ptxas; fi

logs=$(dirname "$report")/ptxas-logs
mkdir -p "$out" "$logs"
headers=("$src"/*.cuh)
built=0
for cu in "$src"/*.cu; do
  name=$(basename "$cu" .cu)
  ptx=$out/$name.ptx
  fresh=1
  [ -f "$ptx" ] || fresh=0
  for dep in "$cu" "${headers[@]}" "$0"; do
    if [ "$fresh" = 1 ] && [ "$dep" -nt "$ptx" ]; then fresh=0; fi
  done
  [ "$fresh" = 1 ] && continue
  "$nvcc" -ptx -arch=compute_80 -O3 -lineinfo -o "$ptx.tmp" "$cu"
  if [ -n "$ptxas" ]; then
    for arch in sm_80 sm_90; do
      if ! "$ptxas" -arch=$arch -v -o /dev/null "$ptx.tmp" >"$logs/$name.$arch.log" 2>&1; then
        cat "$logs/$name.$arch.log" >&2
        rm -f "$ptx.tmp"
        echo "[cuda] ptxas -arch=$arch rejected $name.ptx" >&2
        exit 1
      fi
    done
  fi
  mv "$ptx.tmp" "$ptx"
  built=$((built + 1))
done
# One report of registers, spills and shared memory per kernel and architecture.
: >"$report"
for log in "$logs"/*.log; do
  [ -f "$log" ] || continue
  echo "== $(basename "$log" .log)" >>"$report"
  grep -E "Compiling entry|registers|spill" "$log" | sed 's/^ptxas info *: *//' >>"$report"
done
echo "[cuda] $built PTX module(s) compiled with $nvcc${ptxas:+, checked by ptxas for sm_80 and sm_90}"
