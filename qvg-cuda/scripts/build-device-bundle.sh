#!/usr/bin/env bash
# Builds what must travel to a GPU machine that has no Java, into one folder (64 MiB at most):
#   lib/qvg-cuda-device.jar  shaded: qvg-cuda, qvg-api, the conformance kit (qvg-tck) with the
#                            providers its pipeline checks use (qvg-smoothing, qvg-residual),
#                            the JUnit launcher, JCuda with only its driver binding
#   test-classes/            qvg-cuda's tests (CudaBackendTest runs there through the launcher)
#   jre/                     a jlink-ed Java 17 runtime with only the modules jdeps finds
#   run-on-device.sh         what to run there
# Usage: qvg-cuda/scripts/build-device-bundle.sh [OUT_DIR]   (default dist/qvg-cuda-device)
# Needs qvg-api, qvg-tck, qvg-smoothing and qvg-residual installed in ~/.m2 (mvn install), and a
# JDK 17 with jmods. Set MVN_FLAGS="" to let Maven go online (default: offline).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/dist/qvg-cuda-device}
LIMIT_MIB=64
MVN_FLAGS=${MVN_FLAGS--o}

cd "$ROOT"
echo "== building the shaded jar (profile device-bundle)"
# shellcheck disable=SC2086
mvn -q $MVN_FLAGS -pl qvg-cuda -Pdevice-bundle package -DskipTests
JAR=$(ls qvg-cuda/target/qvg-cuda-*-device.jar)

rm -rf "$OUT"
mkdir -p "$OUT/lib"
cp "$JAR" "$OUT/lib/qvg-cuda-device.jar"
cp -r qvg-cuda/target/test-classes "$OUT/test-classes"
cp qvg-cuda/scripts/run-on-device.sh "$OUT/run-on-device.sh"
chmod +x "$OUT/run-on-device.sh"

echo "== finding the JDK modules the jar needs (jdeps)"
MODULES=$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 \
    --class-path "$OUT/lib/qvg-cuda-device.jar" "$OUT/lib/qvg-cuda-device.jar")
# jdk.unsupported: sun.misc.Unsafe, used reflectively by Guice/Guava; jdk.crypto.ec is not needed.
MODULES="$MODULES,jdk.unsupported"
echo "   modules: $MODULES"

echo "== jlink"
jlink --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$OUT/jre"

echo "== smoke test of the bundled runtime (no GPU needed: the provider must report why it is unavailable)"
"$OUT/jre/bin/java" -cp "$OUT/lib/qvg-cuda-device.jar" dev.qvg.cuda.KernelTimings --quick 2>&1 | head -3 || true

BYTES=$(du -sb "$OUT" | cut -f1)
MIB=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "== bundle: $OUT"
du -sh "$OUT/lib/qvg-cuda-device.jar" "$OUT/jre" "$OUT/test-classes"
echo "   total: $BYTES bytes = $MIB MiB (limit $LIMIT_MIB MiB)"
if [ "$BYTES" -gt $((LIMIT_MIB * 1048576)) ]; then
    echo "bundle exceeds $LIMIT_MIB MiB" >&2
    exit 1
fi
