#!/usr/bin/env bash
# Builds what must travel to a GPU machine that has no Java, into one folder:
#   lib/qvg-cuda-device.jar  shaded: qvg-cuda, qvg-api, the conformance kit (qvg-tck) with the
#                            providers its pipeline checks use (qvg-smoothing, qvg-residual), the
#                            JUnit launcher, qvg-test-support (the tests' skip-or-fail rule), JCuda
#                            with only its driver binding (debug symbols stripped)
#   test-classes/            qvg-cuda's tests (the JUnit step runs them there)
#   jre/                     a jlink-ed Java 17 runtime: java.base, java.logging, jdk.unsupported,
#                            native libraries stripped
#   run-on-device.sh, torch_baselines.py, compare_timings.py, bundle-info.txt
# then runs the test step of run-on-device.sh exactly as the device run launches it, on the bundled
# runtime, and fails unless it finds and loads every test class and none fails. The bundle must
# stay under 56 MiB (the device tool carries 64 MiB with the working tree); the aim is 40.
# Usage: qvg-cuda/scripts/build-device-bundle.sh [OUT_DIR]   (default dist/qvg-cuda-device)
# Needs qvg-api, qvg-tck, qvg-smoothing, qvg-residual and qvg-test-support installed in ~/.m2
# (mvn install) and a JDK 17 with jmods. Maven runs offline first; whatever it lacks (the JUnit
# console launcher is in no other module's dependencies) it then fetches from Maven Central,
# unless QVG_OFFLINE=1.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/dist/qvg-cuda-device}
LIMIT_MIB=56
AIM_MIB=40
# What the code reaches at run time. jdeps also reports java.sql (JUnit's unused CSV source
# support) and java.xml (JUnit's XML reports, which the device run does not write).
MODULES=java.base,java.logging,jdk.unsupported
UNUSED_MODULES=java.sql,java.xml

cd "$ROOT"
echo "== building the shaded jar (profile device-bundle)"
BUILD=(mvn -q -pl qvg-cuda -Pdevice-bundle package -DskipTests)
if ! "${BUILD[@]}" -o >/tmp/qvg-bundle-build.log 2>&1; then
    if grep -q -E "offline mode|has not been downloaded|Could not resolve|could not be resolved" /tmp/qvg-bundle-build.log \
        && [ "${QVG_OFFLINE:-0}" != 1 ]; then
        echo "   offline build lacks artifacts; fetching them from Maven Central"
        if ! "${BUILD[@]}" >/tmp/qvg-bundle-build.log 2>&1; then
            cat /tmp/qvg-bundle-build.log >&2
            echo "bundle build failed: Maven could not fetch what the device-bundle profile needs (above)." >&2
            echo "Fix: give this machine access to Maven Central (or a mirror in ~/.m2/settings.xml), or copy" >&2
            echo "the missing artifacts into ~/.m2 from a machine that has them, e.g. run there" >&2
            echo "  mvn dependency:get -Dartifact=org.junit.platform:junit-platform-console:1.14.4" >&2
            exit 1
        fi
    else
        cat /tmp/qvg-bundle-build.log >&2
        echo "bundle build failed (above)$([ "${QVG_OFFLINE:-0}" = 1 ] && echo '; QVG_OFFLINE=1 forbids fetching missing artifacts')" >&2
        exit 1
    fi
fi
JAR=$(ls qvg-cuda/target/qvg-cuda-*-device.jar)

rm -rf "$OUT"
mkdir -p "$OUT/lib"
cp "$JAR" "$OUT/lib/qvg-cuda-device.jar"
cp -r qvg-cuda/target/test-classes "$OUT/test-classes"
cp qvg-cuda/scripts/run-on-device.sh qvg-cuda/scripts/torch_baselines.py qvg-cuda/scripts/compare_timings.py "$OUT/"
chmod +x "$OUT"/*.sh "$OUT"/*.py

echo "== stripping the JCuda driver binding (debug and unneeded symbols)"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && unzip -q "$OUT/lib/qvg-cuda-device.jar" 'lib/*.so')
for so in "$WORK"/lib/*.so; do
    before=$(stat -c %s "$so")
    strip --strip-unneeded "$so"  # the JNI entry points are dynamic symbols: kept
    echo "   $(basename "$so"): $before -> $(stat -c %s "$so") bytes"
done
(cd "$WORK" && zip -q "$OUT/lib/qvg-cuda-device.jar" lib/*.so)

echo "== checking the runtime modules against jdeps"
FOUND=$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 --class-path "$OUT/lib/qvg-cuda-device.jar" \
    "$OUT/lib/qvg-cuda-device.jar" "$OUT/test-classes")
for m in ${FOUND//,/ }; do
    case ",$MODULES,$UNUSED_MODULES," in
        *",$m,"*) ;;
        *) echo "jdeps finds module $m, which the bundle leaves out: add it to MODULES (or, if it is not reached, to UNUSED_MODULES) in $0" >&2
           exit 1 ;;
    esac
done
echo "   jdeps: $FOUND; bundled: $MODULES"

echo "== jlink"
jlink --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$OUT/jre"
# The JDK's native libraries keep their symbol tables; the dynamic symbols they link by stay.
find "$OUT/jre" -name '*.so' -exec strip --strip-unneeded {} +

NEEDS=$( { find "$OUT/jre" -name '*.so'; echo "$OUT/jre/bin/java"; echo "$WORK"/lib/*.so; } | while read -r f; do
    objdump -T "$f" 2>/dev/null | grep -o 'GLIBC_[0-9.]*'; done | sed 's/GLIBC_//' | sort -uV | tail -1)
{
    echo "built $(date -u '+%Y-%m-%d %H:%M') UTC from $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "needs glibc $NEEDS or newer (the newest GLIBC symbol version its native code links)"
    echo "java: $("$OUT/jre/bin/java" -version 2>&1 | head -1); modules: $MODULES"
} >"$OUT/bundle-info.txt"
cat "$OUT/bundle-info.txt"

echo "== launch check: the device run's test step on the bundled runtime (no GPU needed)"
QVG_JAVA_OPTS="-Dqvg.cuda.sources=$ROOT/qvg-cuda" "$OUT/run-on-device.sh" --launch-check "$OUT" "$WORK/check"

BYTES=$(du -sb "$OUT" | cut -f1)
MIB=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "== bundle: $OUT"
du -sh "$OUT/lib/qvg-cuda-device.jar" "$OUT/jre" "$OUT/test-classes"
echo "   total: $BYTES bytes = $MIB MiB (aim $AIM_MIB MiB, limit $LIMIT_MIB MiB)"
if [ "$BYTES" -gt $((LIMIT_MIB * 1048576)) ]; then
    echo "bundle exceeds $LIMIT_MIB MiB: it would not travel with the working tree (64 MiB in all)" >&2
    exit 1
fi
