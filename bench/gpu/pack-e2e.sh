#!/usr/bin/env bash
# Adds to .device/ (after native/scripts/pack-device.sh) what end-to-end runs on the GPU machine need: the
# engine's jars and their runtime dependencies, the stories260K model, and scripts for generate, the decode
# benchmark on synthetic models, and the Hugging Face baseline. Run here after a full package build.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
dev=.device
shared=${JSERVE_SHARED:-$root/../shared}
m2=${M2_REPO:-$HOME/.m2/repository}
for module in kvcache scheduler tokenizer engine api bench; do
  j=$(ls $module/target/$module-*.jar | grep -v -e sources -e tests | head -1)
  cp "$j" "$dev/lib/$module.jar"
done
copy_m2() { cp "$m2/$1" "$dev/lib/"; }
copy_m2 info/picocli/picocli/4.7.7/picocli-4.7.7.jar
for a in core databind annotations; do
  ls "$m2"/com/fasterxml/jackson/core/jackson-$a/2.22*/jackson-$a-2.22*.jar | grep -v sources | tail -1 | xargs -I{} cp {} "$dev/lib/"
done
ls "$m2"/me/tongfei/progressbar/0.10.1/progressbar-0.10.1.jar | xargs -I{} cp {} "$dev/lib/"
ls "$m2"/org/jline/jline/*/jline-*.jar 2>/dev/null | grep -v sources | tail -1 | xargs -r -I{} cp {} "$dev/lib/"
mkdir -p "$dev/models" "$dev/py"
cp "$shared/models/stories260K.gguf" "$dev/models/"
cp bench/gpu/hf_baseline.py "$dev/py/"
cat >"$dev/run-java.sh" <<'RUN'
#!/usr/bin/env bash
# Runs a main class with every jar of the kit: .device/run-java.sh CLASS ARGS...
cd "$(dirname "$0")"
main=$1; shift
exec jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx24g \
  -Djava.util.logging.SimpleFormatter.format='%1$tT %4$-7s %3$s: %5$s%6$s%n' \
  -cp "lib/*" "$main" "$@"
RUN
chmod +x "$dev/run-java.sh"
du -sh "$dev" | sed 's/^/[device kit] /'
