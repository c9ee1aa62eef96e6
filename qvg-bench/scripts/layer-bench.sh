#!/usr/bin/env bash
# The real-job benchmark (issue 21): one LongCat-Video layer (K and V [1, 32, 29640, 128] BF16, 486 MB)
# and a multi-GB input of several layers, compressed by `qvg compress -m sas --bits 2 --block 64
# --clusters 256 --iters 5 --tol 0` and by the baseline a user would otherwise pick (FAISS k-means +
# numpy block quantization, scripts/faiss_numpy_layer.py), in the same run on the same files. Every
# command runs under /usr/bin/time -v (wall time, peak RSS), repeated, the two tools alternating which
# goes first. Then one k-means iteration of one head at S = 8192 and 29640: FAISS's own clock against
# qvg's JMH row (KMeansBenchmark.iteration, and .cluster: init + 5 iterations).
#
# Usage: qvg-bench/scripts/layer-bench.sh     (from anywhere; full size on 2 cores: about 6 minutes per
#        repetition of both inputs and both tools at the speeds of the engineering notes (OpenBLAS under
#        FAISS; the netlib reference BLAS makes FAISS several times slower), about 25 minutes in all, plus
#        about 4 minutes to generate the inputs once)
# Writes qvg-bench/target/layer-bench/runs/<UTC time>/ (layer-bench.md, layer-bench.json, every command's
# log and /usr/bin/time output) and points qvg-bench/target/layer-bench/latest at it; the generated inputs
# are kept in qvg-bench/target/layer-bench/inputs/ and reused by later runs while their settings match.
# Settings (environment variables, defaults in brackets):
#   QVG_LAYER_RUNS        repetitions of each compression on the one-layer input      [3]
#   QVG_LAYER_BIG_LAYERS  layers in the multi-GB input (0: no multi-GB row)           [4: 8 tensors, 1.94 GB]
#   QVG_LAYER_BIG_RUNS    repetitions on the multi-GB input                            [QVG_LAYER_RUNS]
#   QVG_LAYER_SHAPE       frames,height,width,heads of one layer                       [19,30,52,32]
#                         (a quick check of the script: 2,32,32,4 is S = 2048 with 4 heads)
#   QVG_LAYER_ITERS       k-means iterations, no early stop                            [5]
#   QVG_LAYER_SEED        seed of the generated data and of both k-means               [0]
#   QVG_LAYER_SIZES       S of the k-means iteration rows              [8192 and the layer's tokens]
#   QVG_LAYER_JMH         JMH flags of the qvg iteration rows, or "skip"   [-f 1 -wi 1 -i 3 -w 2s -r 2s]
#   QVG_LAYER_JMH_THREADS the cpu backend's threads in the JMH rows                    [every core]
#   QVG_LAYER_FAISS_ITER  "skip" leaves out FAISS's iteration rows                     [run them]
#   QVG_LAYER_QVG         the qvg command                                              [./qvg]
#                         (./qvg rebuilds its jar when a source is newer: on a machine where others edit
#                         sources meanwhile use 'java -Xmx4g --add-modules jdk.incubator.vector -jar
#                         qvg-cli/target/qvg.jar', the launcher's own command line)
#   QVG_LAYER_PYTHON      the interpreter with FAISS and numpy                         [/usr/bin/python3]
#   QVG_LAYER_PUBLISH     1: also write docs/performance-layer.md and put its tables into
#                         docs/performance.md (perf-report.sh keeps them when it regenerates) [0]
#   QVG_LAYER_SKIP_BUILD  1: reuse qvg-bench/target/benchmarks.jar                     [0]
#   QVG_LAYER_OUT         output folder                                   [qvg-bench/target/layer-bench]
#   MVN_FLAGS             extra Maven flags of the build                               [-o]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

die() { echo "layer-bench: $*" >&2; exit 1; }
posint() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive whole number, got '$2'"; }

RUNS=${QVG_LAYER_RUNS:-3}
BIG_LAYERS=${QVG_LAYER_BIG_LAYERS:-4}
BIG_RUNS=${QVG_LAYER_BIG_RUNS:-$RUNS}
SHAPE=${QVG_LAYER_SHAPE:-19,30,52,32}
ITERS=${QVG_LAYER_ITERS:-5}
SEED=${QVG_LAYER_SEED:-0}
JMH_FLAGS=${QVG_LAYER_JMH:--f 1 -wi 1 -i 3 -w 2s -r 2s}
JMH_THREADS=${QVG_LAYER_JMH_THREADS:-$(nproc)}
PY=${QVG_LAYER_PYTHON:-/usr/bin/python3}
QVG=${QVG_LAYER_QVG:-./qvg}
OUT=${QVG_LAYER_OUT:-qvg-bench/target/layer-bench}
JAR=qvg-bench/target/benchmarks.jar
BASELINE=qvg-bench/scripts/faiss_numpy_layer.py
CLUSTERS=256
BLOCK=64
HEAD_DIM=128

posint QVG_LAYER_RUNS "$RUNS"
posint QVG_LAYER_ITERS "$ITERS"
posint QVG_LAYER_JMH_THREADS "$JMH_THREADS"
[[ "$BIG_LAYERS" =~ ^[0-9]+$ ]] || die "QVG_LAYER_BIG_LAYERS must be a whole number, got '$BIG_LAYERS'"
[[ "$BIG_LAYERS" == 0 ]] || posint QVG_LAYER_BIG_RUNS "$BIG_RUNS"
[[ "$SEED" =~ ^[0-9]+$ ]] || die "QVG_LAYER_SEED must be a non-negative whole number, got '$SEED'"
IFS=, read -r FRAMES HEIGHT WIDTH HEADS EXTRA <<<"$SHAPE"
for v in "$FRAMES" "$HEIGHT" "$WIDTH" "$HEADS"; do posint "QVG_LAYER_SHAPE (frames,height,width,heads)" "$v"; done
[[ -z "${EXTRA:-}" ]] || die "QVG_LAYER_SHAPE has more than four numbers: '$SHAPE'"
TOKENS=$((FRAMES * HEIGHT * WIDTH))
((TOKENS >= CLUSTERS)) || die "QVG_LAYER_SHAPE gives $TOKENS tokens per head, fewer than $CLUSTERS clusters"
if ((TOKENS > 8192)); then DEFAULT_SIZES="8192,$TOKENS"; else DEFAULT_SIZES="$TOKENS"; fi
SIZES=${QVG_LAYER_SIZES:-$DEFAULT_SIZES}
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
for s in "${SIZE_LIST[@]}"; do
  posint QVG_LAYER_SIZES "$s"
  ((s >= CLUSTERS && s <= TOKENS)) || die "QVG_LAYER_SIZES: $s is not in $CLUSTERS..$TOKENS (the layer's tokens)"
done
read -r -a QVG_CMD <<<"$QVG"

[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time): it measures wall time and peak RSS"
"$PY" -c 'import faiss, numpy' 2>/dev/null \
  || die "$PY cannot import faiss and numpy (apt-get install python3-faiss python3-numpy; use /usr/bin/python3)"

if [[ "${QVG_LAYER_SKIP_BUILD:-0}" != 1 ]]; then
  echo "== building qvg-bench (mvn ${MVN_FLAGS:--o} -pl qvg-bench package)"
  # shellcheck disable=SC2086
  mvn -q ${MVN_FLAGS:--o} -pl qvg-bench package -DskipTests
fi
[[ -f "$JAR" ]] || die "$JAR is missing; build it first (mvn -o -q -pl qvg-bench package -DskipTests)"
echo "== qvg: ${QVG_CMD[*]} --version (builds the command's jar first if it is stale; not timed)"
"${QVG_CMD[@]}" --version >/dev/null 2>&1 || die "'${QVG_CMD[*]} --version' failed"

# ---- inputs: generated once, reused while their settings match (LayerInput checks the file's metadata)
INPUTS="$OUT/inputs"
mkdir -p "$INPUTS"
GEN=(java -Xmx3g -cp "$JAR" dev.qvg.bench.layer.LayerInput --frames "$FRAMES" --height "$HEIGHT" --width "$WIDTH"
  --heads "$HEADS" --head-dim "$HEAD_DIM" --seed "$SEED" --reuse)
TAG="${FRAMES}x${HEIGHT}x${WIDTH}-h${HEADS}-s${SEED}"
LAYER_IN="$INPUTS/layer-$TAG.safetensors"
echo "== input: one layer ($LAYER_IN)"
"${GEN[@]}" --layers 1 --out "$LAYER_IN"
ROWS=(layer)
if [[ "$BIG_LAYERS" != 0 ]]; then
  BIG_IN="$INPUTS/layers$BIG_LAYERS-$TAG.safetensors"
  echo "== input: $BIG_LAYERS layers ($BIG_IN)"
  "${GEN[@]}" --layers "$BIG_LAYERS" --out "$BIG_IN"
  ROWS+=(multi)
fi

RUN="$OUT/runs/$(date -u +%Y%m%dT%H%M%SZ)-$$"
mkdir -p "$RUN"
ln -sfn "runs/$(basename "$RUN")" "$OUT/latest"
SCRATCH="$RUN/out"
mkdir -p "$SCRATCH"

human() { numfmt --to=si --suffix=B "$1"; }
SHAPE_TEXT="[1,$HEADS,$TOKENS,$HEAD_DIM]"
label() {
  if [[ $1 == layer ]]; then echo "one layer, K+V $SHAPE_TEXT BF16 ($(human "$2"))"
  else echo "$BIG_LAYERS layers, $((2 * BIG_LAYERS)) x $SHAPE_TEXT BF16 ($(human "$2"))"; fi
}

# ---- machine facts, before the timed part
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  mem=$(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo)
  echo "machine=${model:-unknown CPU}, $(nproc) cores, $mem, $(uname -sr)"
  echo "cores=$(nproc)"
  echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java=$(java -version 2>&1 | head -1)"
  echo "git=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- 2>/dev/null || echo ' (uncommitted changes)')"
  "$PY" - <<'PY'
import faiss, numpy, platform
faiss.IndexFlatL2(8).search(numpy.zeros((64, 8), dtype="float32"), 1)  # loads the BLAS it really uses
libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if any(k in l for k in ("blas", "mkl", "lapack"))})
print("python=" + platform.python_version())
print("faiss=" + faiss.__version__)
print("numpy=" + numpy.__version__)
print("faiss_threads=%d" % faiss.omp_get_max_threads())
print("blas=" + (", ".join(libs) or "none found in the process map"))
PY
  echo "tokens=$TOKENS"
  echo "heads=$HEADS"
  echo "head_dim=$HEAD_DIM"
  echo "clusters=$CLUSTERS"
  echo "iters=$ITERS"
  echo "slices_per_layer=$((2 * HEADS))"
  echo "runs=$RUNS (one layer), $([[ $BIG_LAYERS == 0 ]] && echo 'no multi-GB row' || echo "$BIG_RUNS ($BIG_LAYERS layers)")"
  echo "jmh_threads=$JMH_THREADS"
  echo "qvg_command=${QVG_CMD[*]} compress --input IN --output OUT -m sas --bits 2 --block $BLOCK --clusters $CLUSTERS --iters $ITERS --tol 0 --seed $SEED -q"
  echo "baseline_command=$PY $BASELINE compress --input IN --output OUT --clusters $CLUSTERS --iters $ITERS --block $BLOCK --bits 2 --seed $SEED"
} >"$RUN/machine.properties"
grep -q '/blas/libblas' "$RUN/machine.properties" \
  && echo "layer-bench: warning: FAISS and numpy use the netlib reference BLAS here (slow); apt-get install libopenblas0-pthread for the baseline most users have" >&2

printf 'row\tlabel\tinput_bytes\ttool\trepeat\ttime_file\tsummary_file\toutput_bytes\n' >"$RUN/runs.tsv"

run_name() { echo "$1-${2//+/-}-$3"; }  # row tool repeat: the base name of that command's files

# One timed command: row tool repeat input output, then the command. Its exit status is recorded, not fatal.
timed() {
  local row=$1 tool=$2 rep=$3 input=$4 output=$5; shift 5
  local name summary=-
  name=$(run_name "$row" "$tool" "$rep")
  [[ $tool == faiss+numpy ]] && summary="$name.summary.json"
  rm -f "$output"
  set +e
  /usr/bin/time -v -o "$RUN/$name.time" "$@" >"$RUN/$name.log" 2>&1
  local rc=$?
  set -e
  local in_bytes out_bytes=0
  in_bytes=$(stat -c %s "$input")
  [[ -f "$output" ]] && out_bytes=$(stat -c %s "$output")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$(label "$row" "$in_bytes")" "$in_bytes" "$tool" "$rep" \
    "$name.time" "$summary" "$out_bytes" >>"$RUN/runs.tsv"
  printf '   %-12s run %d: %s wall, %s MB peak RSS, exit %d\n' "$tool" "$rep" \
    "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$RUN/$name.time")" \
    "$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1000}' "$RUN/$name.time")" "$rc"
  ((rc == 0)) || echo "   (failed: see $RUN/$name.log)"
  rm -f "$output"
}

baseline() { # row rep input
  timed "$1" faiss+numpy "$2" "$3" "$SCRATCH/$1.faiss.safetensors" \
    "$PY" "$BASELINE" compress --input "$3" --output "$SCRATCH/$1.faiss.safetensors" --clusters "$CLUSTERS" \
    --iters "$ITERS" --block "$BLOCK" --bits 2 --seed "$SEED" --json "$RUN/$(run_name "$1" faiss+numpy "$2").summary.json"
}
qvg() { # row rep input
  timed "$1" qvg "$2" "$3" "$SCRATCH/$1.qvg.safetensors" \
    "${QVG_CMD[@]}" compress --input "$3" --output "$SCRATCH/$1.qvg.safetensors" -m sas --bits 2 --block "$BLOCK" \
    --clusters "$CLUSTERS" --iters "$ITERS" --tol 0 --seed "$SEED" -q
}

for row in "${ROWS[@]}"; do
  if [[ $row == layer ]]; then input=$LAYER_IN n=$RUNS; else input=$BIG_IN n=$BIG_RUNS; fi
  echo "== $(label "$row" "$(stat -c %s "$input")"): $n repetitions"
  for ((rep = 1; rep <= n; rep++)); do
    # Alternate which tool goes first, so neither always meets a cold page cache or a warm CPU.
    if ((rep % 2 == 1)); then baseline "$row" "$rep" "$input"; qvg "$row" "$rep" "$input"
    else qvg "$row" "$rep" "$input"; baseline "$row" "$rep" "$input"; fi
  done
done

if [[ "${QVG_LAYER_FAISS_ITER:-}" != skip ]]; then
  echo "== FAISS: one k-means iteration of one head at S=$SIZES"
  "$PY" "$BASELINE" iteration --input "$LAYER_IN" --sizes "$SIZES" --clusters "$CLUSTERS" --seed "$SEED" \
    --json "$RUN/faiss-iteration.json" >"$RUN/faiss-iteration.log" 2>&1 || die "FAISS iteration timing failed: see $RUN/faiss-iteration.log"
fi
if [[ "$JMH_FLAGS" != skip ]]; then
  echo "== qvg (JMH): KMeansBenchmark.iteration and .cluster at S=$SIZES, $JMH_THREADS threads ($JMH_FLAGS)"
  # shellcheck disable=SC2086
  java -jar "$JAR" $JMH_FLAGS -p S="$SIZES" -p threads="$JMH_THREADS" -p backend=cpu -rf json \
    -rff "$RUN/jmh-kmeans.json" 'KMeansBenchmark\.(iteration|cluster)$' >"$RUN/jmh-kmeans.log" 2>&1 \
    || die "JMH failed: see $RUN/jmh-kmeans.log"
fi
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RUN/machine.properties"
rmdir "$SCRATCH" 2>/dev/null || true

PUBLISH=()
[[ "${QVG_LAYER_PUBLISH:-0}" == 1 ]] && PUBLISH=(--publish docs)
java -cp "$JAR" dev.qvg.bench.layer.LayerReport "$RUN" "${PUBLISH[@]}"
echo
cat "$RUN/layer-bench.md"
