#!/usr/bin/env bash
# Compiles the optional C kernels (src/main/c/*.c) into shared libraries under OUT_DIR, packaged as resources and
# loaded at run time through the FFM API (io.jserve.kernels.cpu.NativeQ8Kernel). Without gcc it prints one line
# and succeeds: the CPU backend then uses its Vector API kernels, which give the same bits.
# Usage: build.sh SRC_DIR OUT_DIR   (run by Maven at generate-resources)
# JSERVE_CC=/path/to/gcc picks a compiler; JSERVE_CC=none builds without native kernels.
set -euo pipefail
src=$1 out=$2

cc=${JSERVE_CC:-$(command -v gcc || true)}
if [ "$cc" = none ]; then cc=; fi
if [ -z "$cc" ]; then
  echo "[cpu] gcc not found: building without the native Q8_0 kernel; Q8_0 products run in float (or -Djserve.cpu.q8=int8)"
  exit 0
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "[cpu] native kernels are built for Linux x86-64 only: skipped on $(uname -s)-$(uname -m)"; exit 0 ;;
esac

mkdir -p "$out"
lib=$out/libjserve_q8_0_avx512.so
if [ -f "$lib" ] && [ "$lib" -nt "$src/q8_0_avx512.c" ] && [ "$lib" -nt "$0" ]; then
  exit 0
fi
# Explicit ISA flags (not -march=native): the library runs on any AVX-512 VNNI CPU; Java checks the CPU first.
"$cc" -O3 -std=c11 -shared -fPIC -fno-strict-aliasing -ffp-contract=off \
  -mavx512f -mavx512bw -mavx512vl -mavx512vnni -mf16c -mfma \
  -o "$lib.tmp" "$src/q8_0_avx512.c"
mv "$lib.tmp" "$lib"
echo "[cpu] built $(basename "$lib") with $cc"
