#!/usr/bin/env bash
# Runs on the GPU machine: the conformance kit against the cuda backend, qvg-cuda's own GPU tests
# (bit-exact against the reference) and the kernel timings, then writes
# RESULTS_DIR/<date>-<gpu>.md with the date, GPU, driver, pass/fail counts and timings.
# Usage: run-on-device.sh [BUNDLE_DIR] [RESULTS_DIR]
#   BUNDLE_DIR   the folder build-device-bundle.sh made (default: this script's folder when it
#                holds jre/, else dist/qvg-cuda-device of the repository)
#   RESULTS_DIR  default qvg-cuda/results of the repository (where results are committed)
# Exit status: 0 when the kit and the tests pass (and ran), non-zero otherwise (the results file is written anyway).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -d "$HERE/jre" ]; then DEFAULT_BUNDLE=$HERE; else DEFAULT_BUNDLE=$(cd "$HERE/../.." && pwd)/dist/qvg-cuda-device; fi
BUNDLE=${1:-$DEFAULT_BUNDLE}
if [ -d "$HERE/../results" ] || [ -f "$HERE/../pom.xml" ]; then DEFAULT_RESULTS=$(cd "$HERE/.." && pwd)/results; else DEFAULT_RESULTS=$PWD/results; fi
RESULTS_DIR=${2:-$DEFAULT_RESULTS}
JAVA="$BUNDLE/jre/bin/java"
CP="$BUNDLE/lib/qvg-cuda-device.jar"
WORK=$(mktemp -d)
mkdir -p "$RESULTS_DIR"

echo "== GPU and driver"
if ! nvidia-smi; then
    echo "nvidia-smi failed: no NVIDIA driver here" >&2
    exit 1
fi
GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
DRIVER=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1)
MEM=$(nvidia-smi --query-gpu=memory.total --format=csv,noheader | head -1)
DATE=$(date -u +%Y-%m-%d)
SLUG=$(echo "$GPU" | tr '[:upper:]' '[:lower:]' | sed -e 's/nvidia//' -e 's/[^a-z0-9]\+/-/g' -e 's/^-//' -e 's/-$//')
OUTFILE="$RESULTS_DIR/$DATE-$SLUG.md"

echo "== conformance kit (dev.qvg.tck.ConformanceRunner --backend cuda)"
"$JAVA" -Xmx8g -cp "$CP" dev.qvg.tck.ConformanceRunner --backend cuda 2>&1 | tee "$WORK/kit.txt"
KIT_RC=${PIPESTATUS[0]}
read -r KIT_PASSED KIT_FAILED KIT_SKIPPED <<<"$(awk '$1 == "TOTAL" { print $2, $3, $4 }' "$WORK/kit.txt")"

echo "== qvg-cuda GPU tests (CudaBackendTest, JUnit console launcher)"
"$JAVA" -Xmx8g -cp "$CP" org.junit.platform.console.ConsoleLauncher execute \
    --class-path "$BUNDLE/test-classes" --select-class dev.qvg.cuda.CudaBackendTest \
    --details=tree --disable-banner --disable-ansi-colors 2>&1 | tee "$WORK/tests.txt"
TEST_RC=${PIPESTATUS[0]}
T_OK=$(sed -n 's/.*\[ *\([0-9]\+\) tests successful.*/\1/p' "$WORK/tests.txt" | head -1)
T_FAIL=$(sed -n 's/.*\[ *\([0-9]\+\) tests failed.*/\1/p' "$WORK/tests.txt" | head -1)
T_SKIP=$(sed -n 's/.*\[ *\([0-9]\+\) tests skipped.*/\1/p' "$WORK/tests.txt" | head -1)
T_ABORT=$(sed -n 's/.*\[ *\([0-9]\+\) tests aborted.*/\1/p' "$WORK/tests.txt" | head -1)

echo "== kernel timings (CUDA events, device time only)"
"$JAVA" -Xmx40g -cp "$CP" dev.qvg.cuda.KernelTimings 2>&1 | tee "$WORK/timings.txt"
TIM_RC=${PIPESTATUS[0]}

echo "== cuBLAS baseline through PyTorch, where installed"
python3 - >"$WORK/torch.txt" 2>&1 <<'PY'
import torch
if not torch.cuda.is_available():
    raise SystemExit("torch: no CUDA")
torch.backends.cuda.matmul.allow_tf32 = False  # the qvg kernels use plain FP32
x = torch.randn(32768, 128, device="cuda")
c = torch.randn(256, 128, device="cuda")
def run():
    d = (x * x).sum(1, keepdim=True) - 2 * (x @ c.T) + (c * c).sum(1)
    return d.argmin(1)
def gemm():
    return x @ c.T
def timed(f, reps=50):
    f(); torch.cuda.synchronize()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    ts = []
    for _ in range(reps):
        s.record(); f(); e.record(); e.synchronize(); ts.append(s.elapsed_time(e))
    ts.sort(); return ts[len(ts) // 2]
print("| cuBLAS SGEMM (PyTorch, TF32 off) | 32768x128 @ 128x256 | %.3f ms | - |" % timed(gemm))
print("| cuBLAS SGEMM + norms + argmin (PyTorch) | S=32768 D=128 K=256 | %.3f ms | - |" % timed(run))
PY
TORCH_RC=$?
cat "$WORK/torch.txt"

{
    echo "# qvg-cuda on $GPU, $DATE"
    echo
    echo "- GPU: $GPU ($MEM), driver $DRIVER"
    echo "- Java: $("$JAVA" -version 2>&1 | head -1) (jlink-ed bundle)"
    echo "- Conformance kit (ConformanceRunner --backend cuda): passed ${KIT_PASSED:-?}, failed ${KIT_FAILED:-?}, skipped ${KIT_SKIPPED:-?} (exit $KIT_RC)"
    echo "- CudaBackendTest: successful ${T_OK:-?}, failed ${T_FAIL:-?}, skipped ${T_SKIP:-?}, aborted by an assumption ${T_ABORT:-?} (exit $TEST_RC)"
    echo
    echo "## Kernel timings"
    echo
    if [ "$TIM_RC" -eq 0 ]; then cat "$WORK/timings.txt"; else echo "KernelTimings failed (exit $TIM_RC):"; echo '```'; cat "$WORK/timings.txt"; echo '```'; fi
    if [ "$TORCH_RC" -eq 0 ]; then cat "$WORK/torch.txt"; else echo; echo "(no PyTorch baseline: $(tail -1 "$WORK/torch.txt"))"; fi
    echo
    echo "## Conformance report"
    echo
    echo '```'
    cat "$WORK/kit.txt"
    echo '```'
} >"$OUTFILE"
echo "== wrote $OUTFILE"
rm -rf "$WORK"
# All tests aborted (the GPU not usable after all) is a failure here, not a pass.
[ "$KIT_RC" -eq 0 ] && [ "$TEST_RC" -eq 0 ] && [ "${T_OK:-0}" -gt 0 ]
