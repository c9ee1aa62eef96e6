#!/usr/bin/env bash
# Builds qvg-bench, runs a short JMH configuration of the whole suite (limits, kernels, compression,
# cache read, attention) and regenerates docs/performance.md and its plots from the JSON results.
#
# The real-job section (whole layers against FAISS + numpy) takes its tables from docs/performance-layer.md
# when qvg-bench/scripts/layer-bench.sh has published one (QVG_LAYER_PUBLISH=1); this script does not run it.
#
# Usage: qvg-bench/scripts/perf-report.sh            (from anywhere; about 10 minutes on 2 cores)
# Settings (environment variables, defaults in brackets):
#   QVG_BENCH_S           token counts for kernels and limits          [4096,16384,65536]
#   QVG_BENCH_COMPRESS_S  token counts for the whole-span compressions [4096,16384]
#   QVG_BENCH_THREADS     backend / BLAS / copy thread counts          [1,2]
#   QVG_BENCH_BACKENDS    backends to run                              [every available one]
#   QVG_BENCH_JMH         JMH flags of the kernel run     [-f 1 -wi 1 -i 3 -w 1s -r 1s -prof gc]
#   QVG_BENCH_COMPRESS_JMH JMH flags of the compression run (seconds per call: single shots)
#                                                                      [-f 1 -bm ss -wi 1 -i 2]
#   QVG_BENCH_COPY_JMH    JMH flags of the three extra copy-limit runs [-f 1 -wi 1 -i 3 -w 1s -r 1s]
#   QVG_BENCH_NOTE        caveat printed at the top of the report      [none]
#   QVG_BENCH_SKIP_BUILD  set to 1 to reuse qvg-bench/target/benchmarks.jar
#   MVN_FLAGS             extra Maven flags                            [-o]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

S_LIST=${QVG_BENCH_S:-4096,16384,65536}
COMPRESS_S=${QVG_BENCH_COMPRESS_S:-4096,16384}
THREADS=${QVG_BENCH_THREADS:-1,2}
JMH_FLAGS=${QVG_BENCH_JMH:--f 1 -wi 1 -i 3 -w 1s -r 1s -prof gc}
COMPRESS_FLAGS=${QVG_BENCH_COMPRESS_JMH:--f 1 -bm ss -wi 1 -i 2}
COPY_FLAGS=${QVG_BENCH_COPY_JMH:--f 1 -wi 1 -i 3 -w 1s -r 1s}
NOTE=${QVG_BENCH_NOTE:-}
OUT=qvg-bench/target/perf
JAR=qvg-bench/target/benchmarks.jar

if [[ "${QVG_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  echo "== building qvg-bench (mvn ${MVN_FLAGS:--o} -pl qvg-bench package)"
  # shellcheck disable=SC2086
  mvn -q ${MVN_FLAGS:--o} -pl qvg-bench package -DskipTests
fi
[[ -f "$JAR" ]] || { echo "perf-report: $JAR is missing; build it first" >&2; exit 1; }

BACKENDS=${QVG_BENCH_BACKENDS:-$(java -cp "$JAR" dev.qvg.bench.BenchBackends)}
[[ -n "$BACKENDS" ]] || { echo "perf-report: no backend is available (check META-INF/services in the jar)" >&2; exit 1; }
# The benchmark forks start with --add-modules jdk.incubator.vector (BenchShapes.FORK_VECTOR_API).
SIMD=$(java --add-modules jdk.incubator.vector -cp "$JAR" dev.qvg.bench.BenchBackends --simd 2>/dev/null || echo unknown)
NOTE="${NOTE:+$NOTE }CPU SIMD block kernels in the benchmark JVMs: $SIMD; the benchmarks compile them before timing (Simd.warmUpNow), so the threshold does not apply."
mkdir -p "$OUT"
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')

echo "== limits and kernels: S=$S_LIST threads=$THREADS backends=$BACKENDS ($JMH_FLAGS)"
# shellcheck disable=SC2086
java -jar "$JAR" $JMH_FLAGS -p S="$S_LIST" -p threads="$THREADS" -p backend="$BACKENDS" \
  -rf json -rff "$OUT/kernels.json" 'limits\.|KMeansBenchmark|BlockCodecBenchmark|CacheReadBenchmark|AttentionBenchmark'

echo "== whole-span compression: S=$COMPRESS_S threads=$THREADS ($COMPRESS_FLAGS)"
# shellcheck disable=SC2086
java -jar "$JAR" $COMPRESS_FLAGS -p S="$COMPRESS_S" -p threads="$THREADS" -p backend="$BACKENDS" \
  -rf json -rff "$OUT/compress.json" 'CompressBenchmark'

# The copy is the noisiest limit on a shared VM: it drifts by up to 2x within one JVM while the
# kernels do not, so it is measured again in three fresh JVMs and the report takes the best copy
# of the run (a higher limit: every fraction only gets smaller).
COPY_JSON=()
for n in 1 2 3; do
  echo "== memory copy again ($n of 3, $COPY_FLAGS)"
  # shellcheck disable=SC2086
  java -jar "$JAR" $COPY_FLAGS -p threads="$THREADS" -rf json -rff "$OUT/copy-again-$n.json" 'limits\.MemoryCopyBenchmark'
  COPY_JSON+=("$OUT/copy-again-$n.json")
done

CMD="qvg-bench/scripts/perf-report.sh (kernels: $JMH_FLAGS -p S=$S_LIST; compression: $COMPRESS_FLAGS -p S=$COMPRESS_S; -p threads=$THREADS -p backend=$BACKENDS; copy again 3x: $COPY_FLAGS)"
java -cp "$JAR" dev.qvg.bench.report.PerformanceReport --out docs/performance.md --date "$DATE" \
  --note "$NOTE" --command "$CMD" "$OUT/kernels.json" "$OUT/compress.json" "${COPY_JSON[@]}"
