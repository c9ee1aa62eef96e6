#!/usr/bin/env bash
# Runs on the GPU machine, which has no Java: the bundle (build-device-bundle.sh) carries its own
# runtime. Every step writes its log into RESULTS_DIR as it runs and the summary file
# RESULTS_DIR/<date>-<gpu>.md is rewritten after each step, so a run killed at its time limit still
# leaves everything it got. Each step runs under `timeout`, within one deadline for the whole run.
#
# Usage:
#   run-on-device.sh [BUNDLE_DIR] [RESULTS_DIR]
#       the whole run: environment (ldd --version and the driver first), nvidia-smi, DeviceCheck
#       (driver, device, PTX JIT-load, one bit-exact call), qvg-cuda's tests (JUnit console launcher,
#       test classes on the JVM class path), the conformance kit, KernelTimings, the PyTorch
#       baselines, and the comparison of the two.
#   run-on-device.sh --launch-check [BUNDLE_DIR] [RESULTS_DIR]
#       only the test step, exactly as the whole run launches it, then checks that the launcher found
#       and loaded every test class of the bundle and that none failed (no GPU needed: the GPU tests
#       skip). build-device-bundle.sh runs this.
# BUNDLE_DIR defaults to this script's folder when it holds jre/, else dist/qvg-cuda-device of the
# repository; RESULTS_DIR to ./results. With the session device tool:
#   run(command="dist/qvg-cuda-device/run-on-device.sh dist/qvg-cuda-device $OUT", carry=["dist/qvg-cuda-device"])
# Environment: QVG_DEADLINE_S (default 540) the whole run's budget in seconds, steps that would not
# fit are not started; QVG_JAVA_OPTS extra JVM options for the test step; QVG_TIMINGS_ARGS and
# QVG_TORCH_ARGS extra arguments for KernelTimings and torch_baselines.py (e.g. "--quick").
# Exit status: 0 when the device check, the tests (some ran, none failed) and the kit pass.
set -uo pipefail

MODE=run
if [ "${1:-}" = "--launch-check" ]; then MODE=check; shift; fi
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -d "$HERE/jre" ]; then DEFAULT_BUNDLE=$HERE; else DEFAULT_BUNDLE=$(cd "$HERE/../.." && pwd)/dist/qvg-cuda-device; fi
BUNDLE=$(cd "${1:-$DEFAULT_BUNDLE}" && pwd)
RESULTS_DIR=${2:-$PWD/results}
mkdir -p "$RESULTS_DIR"
RESULTS_DIR=$(cd "$RESULTS_DIR" && pwd)
JAVA="$BUNDLE/jre/bin/java"
JAR="$BUNDLE/lib/qvg-cuda-device.jar"
TEST_CLASSES="$BUNDLE/test-classes"
DEADLINE_S=${QVG_DEADLINE_S:-540}
START=$(date +%s)
PROGRESS="$RESULTS_DIR/progress.txt"
: >"$PROGRESS"

remaining() { echo $((DEADLINE_S - ($(date +%s) - START))); }

# step NAME BUDGET_S LOG COMMAND...: runs COMMAND under timeout (its budget, or what is left of the
# deadline), output to the terminal and to LOG as it comes; records the exit status (124: timed out).
step() {
    local name=$1 budget=$2 log=$3
    shift 3
    local left
    left=$(($(remaining) - 10))
    if [ "$left" -lt 20 ]; then
        echo "$name: not started (deadline of ${DEADLINE_S}s reached)" | tee -a "$PROGRESS" >"$log"
        STEP_RC=125
        return
    fi
    [ "$budget" -gt "$left" ] && budget=$left
    echo "== $name (at most ${budget}s)"
    local t0=$SECONDS
    timeout -k 10 "${budget}s" "$@" 2>&1 | tee "$log"
    STEP_RC=${PIPESTATUS[0]}
    local how="exit $STEP_RC"
    { [ "$STEP_RC" -eq 124 ] || [ "$STEP_RC" -eq 137 ]; } && how="TIMED OUT after ${budget}s"
    echo "$name: $how, $((SECONDS - t0))s" | tee -a "$PROGRESS"
}

# The test step, the same in both modes: qvg-cuda's test classes on the JVM class path with the
# backend (so package-private classes are reachable: the launcher's own --class-path would load
# them in a child loader), every test class found by scanning that folder.
junit_step() {
    local budget=$1
    # shellcheck disable=SC2086
    step "tests (JUnit console launcher)" "$budget" "$RESULTS_DIR/03-tests.txt" \
        "$JAVA" -Xmx8g ${QVG_JAVA_OPTS:-} -cp "$TEST_CLASSES:$JAR" org.junit.platform.console.ConsoleLauncher execute \
        --scan-classpath "$TEST_CLASSES" --details=tree --disable-banner --disable-ansi-colors
    TEST_RC=$STEP_RC
    # The launcher's own summary is the last in the log (a test may print a child run's before it).
    T_FOUND=$(sed -n 's/.*\[ *\([0-9]\+\) tests found.*/\1/p' "$RESULTS_DIR/03-tests.txt" | tail -1)
    T_OK=$(sed -n 's/.*\[ *\([0-9]\+\) tests successful.*/\1/p' "$RESULTS_DIR/03-tests.txt" | tail -1)
    T_FAIL=$(sed -n 's/.*\[ *\([0-9]\+\) tests failed.*/\1/p' "$RESULTS_DIR/03-tests.txt" | tail -1)
    T_SKIP=$(sed -n 's/.*\[ *\([0-9]\+\) tests skipped.*/\1/p' "$RESULTS_DIR/03-tests.txt" | tail -1)
    T_ABORT=$(sed -n 's/.*\[ *\([0-9]\+\) tests aborted.*/\1/p' "$RESULTS_DIR/03-tests.txt" | tail -1)
    C_FAIL=$(sed -n 's/.*\[ *\([0-9]\+\) containers failed.*/\1/p' "$RESULTS_DIR/03-tests.txt" | tail -1)
}

# Fails unless every test class of the bundle appears in the launcher's tree and nothing failed.
check_launch() {
    local missing=() cls name
    while IFS= read -r cls; do
        name=$(basename "$cls" .class)
        grep -q -- "─ $name " "$RESULTS_DIR/03-tests.txt" || grep -q -- "─ $name\$" "$RESULTS_DIR/03-tests.txt" \
            || missing+=("$name")
    done < <(find "$TEST_CLASSES" -name '*Test.class' ! -name '*$*')
    local n
    n=$(find "$TEST_CLASSES" -name '*Test.class' ! -name '*$*' | wc -l)
    echo "launch check: $n test classes in the bundle; launcher: ${T_FOUND:-?} tests found, ${T_OK:-?} successful," \
        "${T_FAIL:-?} failed, ${T_SKIP:-?} skipped, ${T_ABORT:-?} aborted, ${C_FAIL:-?} containers failed (exit $TEST_RC)" \
        | tee -a "$PROGRESS"
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "launch check FAILED: the launcher did not find or load: ${missing[*]}" | tee -a "$PROGRESS" >&2
        return 1
    fi
    if [ "$TEST_RC" -ne 0 ] || [ "${T_FAIL:-1}" -ne 0 ] || [ "${C_FAIL:-1}" -ne 0 ] || [ "${T_FOUND:-0}" -eq 0 ]; then
        echo "launch check FAILED: see $RESULTS_DIR/03-tests.txt" | tee -a "$PROGRESS" >&2
        return 1
    fi
    echo "launch check passed: every test class found and loaded, none failed" | tee -a "$PROGRESS"
}

if [ "$MODE" = check ]; then
    junit_step 600
    check_launch
    exit $?
fi

# ---- the whole run ----

ENV_LOG="$RESULTS_DIR/00-environment.txt"
DIAG="$RESULTS_DIR/diagnostics.txt"
: >"$DIAG"
{
    echo "date (UTC): $(date -u '+%Y-%m-%d %H:%M:%S')"
    echo "glibc: $(ldd --version 2>&1 | head -1)"
    echo "driver: $( (nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1) || true) ($(head -1 /proc/driver/nvidia/version 2>/dev/null || echo 'no /proc/driver/nvidia/version'))"
    echo "host: $(uname -srm), $(nproc) cores"
    [ -f "$BUNDLE/bundle-info.txt" ] && sed 's/^/bundle: /' "$BUNDLE/bundle-info.txt"
} | tee "$ENV_LOG"
GLIBC=$(ldd --version 2>&1 | head -1 | grep -o '[0-9]\+\.[0-9]\+$' || echo 0.0)
NEED=$(sed -n 's/^needs glibc \([0-9.]*\).*/\1/p' "$BUNDLE/bundle-info.txt" 2>/dev/null)
NEED=${NEED:-2.34}
JAVA_OK=1
if [ "$(printf '%s\n%s\n' "$NEED" "$GLIBC" | sort -V | head -1)" != "$NEED" ]; then
    echo "glibc $GLIBC is older than the $NEED the bundled runtime needs: no Java step can run" | tee -a "$ENV_LOG" "$DIAG"
    JAVA_OK=0
fi
{
    echo "java: $("$JAVA" -version 2>&1 | head -1)"
    echo "python3: $(python3 -c 'import sys; print(sys.version.split()[0])' 2>&1)"
    echo "torch: $(python3 -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda)' 2>&1 | tail -1)"
    echo "nvcc: $( (nvcc --version 2>/dev/null || /usr/local/cuda/bin/nvcc --version 2>/dev/null) | tail -1)"
} | tee -a "$ENV_LOG"

# Everything known about why the driver or the GPU is not usable (in full the first time).
diagnose() {
    if [ -s "$DIAG" ]; then
        echo "== also: $1, $(date -u '+%H:%M:%S')" >>"$DIAG"
        return
    fi
    {
        echo "== diagnostics ($1), $(date -u '+%H:%M:%S')"
        echo "-- /proc/driver/nvidia/version"; cat /proc/driver/nvidia/version 2>&1
        echo "-- device nodes"; ls -l /dev/nvidia* 2>&1
        echo "-- kernel modules"; (lsmod 2>&1 | grep -i nvidia) || echo "(no nvidia module listed)"
        echo "-- driver libraries"; (ldconfig -p 2>&1 | grep -E 'libcuda\.so|libnvidia-ml') || echo "(libcuda.so not in the linker cache)"
        echo "-- environment"; env | grep -E '^(CUDA|NVIDIA|LD_LIBRARY_PATH)' || echo "(no CUDA/NVIDIA variables)"
        echo "-- nvidia-smi"; nvidia-smi 2>&1 | head -40
        echo "-- dmesg (nvidia)"; (dmesg 2>&1 | grep -i -E 'nvidia|nvrm' | tail -20) || true
    } >>"$DIAG" 2>&1
    echo "diagnostics written to $DIAG"
}

step "nvidia-smi" 30 "$RESULTS_DIR/01-nvidia-smi.txt" nvidia-smi
SMI_RC=$STEP_RC
if [ "$SMI_RC" -ne 0 ]; then diagnose "nvidia-smi exit $SMI_RC"; fi
GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
DRIVER=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1)
MEM=$(nvidia-smi --query-gpu=memory.total --format=csv,noheader 2>/dev/null | head -1)
GPU=${GPU:-no GPU}
DATE=$(date -u +%Y-%m-%d)
SLUG=$(echo "$GPU" | tr '[:upper:]' '[:lower:]' | sed -e 's/nvidia//' -e 's/[^a-z0-9]\+/-/g' -e 's/^-//' -e 's/-$//')
SUMMARY="$RESULTS_DIR/$DATE-$SLUG.md"

DEV_RC=- TEST_RC=- KIT_RC=- TIM_RC=- TORCH_RC=-
T_FOUND= T_OK= T_FAIL= T_SKIP= T_ABORT= C_FAIL= KIT_PASSED= KIT_FAILED= KIT_SKIPPED=

# The results file, rewritten after every step from what the steps left.
summarize() {
    {
        echo "# qvg-cuda on $GPU, $DATE"
        echo
        echo "- GPU: $GPU (${MEM:-?}), driver ${DRIVER:-?}; $(sed -n 's/^glibc: //p' "$ENV_LOG")"
        echo "- Java: $(sed -n 's/^java: //p' "$ENV_LOG") (jlink-ed bundle); $(sed -n 's/^torch: /PyTorch /p' "$ENV_LOG")"
        echo "- DeviceCheck (driver, device, PTX JIT-load, one bit-exact call): exit $DEV_RC"
        echo "- qvg-cuda tests (JUnit): found ${T_FOUND:-?}, successful ${T_OK:-?}, failed ${T_FAIL:-?}, skipped ${T_SKIP:-?}, aborted by an assumption ${T_ABORT:-?}, containers failed ${C_FAIL:-?} (exit $TEST_RC)"
        echo "- Conformance kit (ConformanceRunner --backend cuda): passed ${KIT_PASSED:-?}, failed ${KIT_FAILED:-?}, skipped ${KIT_SKIPPED:-?} (exit $KIT_RC)"
        echo "- KernelTimings: exit $TIM_RC; PyTorch baselines: exit $TORCH_RC"
        echo
        echo "## Steps"
        echo
        echo '```'
        cat "$PROGRESS"
        echo '```'
        for f in 02-device-check.txt; do
            [ -s "$RESULTS_DIR/$f" ] && { echo; echo "## Device check"; echo; echo '```'; cat "$RESULTS_DIR/$f"; echo '```'; }
        done
        if [ -s "$RESULTS_DIR/07-comparison.md" ]; then
            echo; echo "## Kernels against their limits and against PyTorch"; echo; cat "$RESULTS_DIR/07-comparison.md"
        fi
        [ -s "$RESULTS_DIR/05-timings.txt" ] && { echo; echo "## KernelTimings"; echo; grep -v '^WARNING' "$RESULTS_DIR/05-timings.txt"; }
        [ -s "$RESULTS_DIR/06-torch.txt" ] && { echo; echo "## PyTorch baselines"; echo; cat "$RESULTS_DIR/06-torch.txt"; }
        [ -s "$DIAG" ] && { echo; echo "## Diagnostics"; echo; echo '```'; cat "$DIAG"; echo '```'; }
        echo; echo "Logs of every step: 00-environment.txt to 07-comparison.md beside this file."
    } >"$SUMMARY.tmp" && mv "$SUMMARY.tmp" "$SUMMARY"
}
summarize

if [ "$JAVA_OK" -eq 1 ]; then
    step "DeviceCheck" 90 "$RESULTS_DIR/02-device-check.txt" "$JAVA" -Xmx2g -cp "$JAR" dev.qvg.cuda.DeviceCheck
    DEV_RC=$STEP_RC
    if [ "$DEV_RC" -ne 0 ]; then diagnose "DeviceCheck exit $DEV_RC"; fi
    summarize

    junit_step 180
    summarize

    step "conformance kit" 180 "$RESULTS_DIR/04-kit.txt" "$JAVA" -Xmx8g -cp "$JAR" dev.qvg.tck.ConformanceRunner --backend cuda
    KIT_RC=$STEP_RC
    read -r KIT_PASSED KIT_FAILED KIT_SKIPPED <<<"$(awk '$1 == "TOTAL" { print $2, $3, $4 }' "$RESULTS_DIR/04-kit.txt")"
    summarize

    step "KernelTimings" 180 "$RESULTS_DIR/05-timings.txt" \
        "$JAVA" -Xmx24g -cp "$JAR" dev.qvg.cuda.KernelTimings --json "$RESULTS_DIR/05-timings.json" ${QVG_TIMINGS_ARGS:-}
    TIM_RC=$STEP_RC
    summarize
fi

if command -v python3 >/dev/null; then
    step "PyTorch baselines" 150 "$RESULTS_DIR/06-torch.txt" \
        python3 "$BUNDLE/torch_baselines.py" --json "$RESULTS_DIR/06-torch.json" ${QVG_TORCH_ARGS:-}
    TORCH_RC=$STEP_RC
    python3 "$BUNDLE/compare_timings.py" "$RESULTS_DIR/05-timings.json" "$RESULTS_DIR/06-torch.json" \
        >"$RESULTS_DIR/07-comparison.md" 2>&1
else
    echo "PyTorch baselines: not run (no python3)" | tee -a "$PROGRESS"
fi
summarize
echo "== wrote $SUMMARY"
# All tests aborted (the GPU not usable after all) is a failure here, not a pass.
[ "$DEV_RC" = 0 ] && [ "$TEST_RC" = 0 ] && [ "${T_FAIL:-1}" = 0 ] && [ "${T_OK:-0}" -gt 0 ] && [ "$KIT_RC" = 0 ]
