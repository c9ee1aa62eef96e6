package dev.qvg.bench.report;

import dev.qvg.bench.BenchShapes;
import dev.qvg.bench.layer.LayerInputSpec;
import dev.qvg.bench.layer.LayerReport;
import java.util.Locale;

/**
 * The section of {@code docs/performance.md} on the real job (issue 21): whole LongCat-Video layers
 * through {@code qvg compress} and through FAISS + numpy, measured by
 * {@code qvg-bench/scripts/layer-bench.sh}, and how the micro-rows above relate to it. The measured
 * tables come from the harness's own report ({@code docs/performance-layer.md}, written with
 * {@code QVG_LAYER_PUBLISH=1}): its block between {@link LayerReport#BEGIN} and
 * {@link LayerReport#END} is embedded here, so either report can be regenerated without losing
 * the other's figures. Without it the section lists the rows as still to be measured.
 */
public final class RealJobSection {

    static final String TITLE = "## The real job: one LongCat-Video layer against FAISS + numpy (issue 21)";
    static final String TO_BE_MEASURED = "to be measured";

    private RealJobSection() {
    }

    /** The section; {@code layerReport} is the text of {@code performance-layer.md}, or null when there is none. */
    public static String render(String layerReport) {
        int s = LayerInputSpec.LONGCAT_FRAMES * LayerInputSpec.LONGCAT_HEIGHT * LayerInputSpec.LONGCAT_WIDTH;
        int heads = LayerInputSpec.LONGCAT_HEADS, slices = 2 * heads, iters = BenchShapes.LAYER_ITERS;
        LayerInputSpec layer = LayerInputSpec.longCat(1, 0), big = LayerInputSpec.longCat(4, 0);
        double gflopPerAssign = WorkModel.distanceFlops(s) / 1e9;
        StringBuilder md = new StringBuilder(TITLE).append("\n\n");
        md.append(String.format(Locale.ROOT, "The rows above time one kernel on one `[S, 128]` slice. The job a user "
                + "runs is a whole layer: `qvg-bench/scripts/layer-bench.sh` generates LongCat-Video layer inputs "
                + "(qvg-io's video-like generator, seeded: K and V `[1, %d, %d, 128]` BF16, %.0f MB; and %d layers, "
                + "%.2f GB, for the multi-GB row), then compresses them with `qvg compress -m sas --bits 2 --block 64 "
                + "--clusters 256 --iters %d --tol 0` and with the baseline a user would otherwise pick, "
                + "`qvg-bench/scripts/faiss_numpy_layer.py` (FAISS k-means on its OpenMP threads, one per core, "
                + "numpy INT2 block quantization and packing, the same outputs written), in the same run on the same files, "
                + "each command under `/usr/bin/time -v` (wall time and peak RSS), 3 repetitions, best and median. "
                + "It also times one k-means iteration of one head at S = 8192 and %d: FAISS's own clock against "
                + "the JMH rows `KMeansBenchmark.iteration` and `KMeansBenchmark.cluster` (init + %d iterations).%n%n",
                heads, s, layer.dataBytes() / 1e6, big.layers(), big.dataBytes() / 1e9, iters, s, iters));
        md.append("```bash\n"
                + "qvg-bench/scripts/layer-bench.sh                        # report: qvg-bench/target/layer-bench/latest/layer-bench.md\n"
                + "QVG_LAYER_PUBLISH=1 qvg-bench/scripts/layer-bench.sh    # also docs/performance-layer.md and the tables below\n"
                + "QVG_LAYER_SHAPE=2,32,32,4 QVG_LAYER_RUNS=1 QVG_LAYER_BIG_LAYERS=2 qvg-bench/scripts/layer-bench.sh  # a quick check\n"
                + "```\n\n");
        String block = layerReport == null ? null : block(layerReport);
        if (block != null) {
            md.append("Measured (from `performance-layer.md`, ").append(dateOf(layerReport))
                    .append("; its machine, BLAS and load are listed there):\n\n");
            md.append(LayerReport.BEGIN).append('\n').append(block).append(LayerReport.END).append("\n\n");
        } else {
            md.append("Measured: not yet on a quiet machine. The exact command: `QVG_LAYER_PUBLISH=1 "
                    + "qvg-bench/scripts/layer-bench.sh` (on 2 cores, at the speeds the engineering notes measured "
                    + "with OpenBLAS under FAISS: about 6 minutes per repetition of both inputs and both tools, so "
                    + "about 25 minutes in all, plus about 4 minutes to generate the inputs once); it fills the "
                    + "tables below.\n\n");
            md.append(LayerReport.BEGIN).append('\n');
            md.append("| input | tool | wall best | wall median | peak RSS best | peak RSS median |\n"
                    + "|---|---|---:|---:|---:|---:|\n");
            for (String input : new String[] {String.format(Locale.ROOT, "one layer (%.0f MB)", layer.dataBytes() / 1e6),
                    String.format(Locale.ROOT, "%d layers (%.2f GB)", big.layers(), big.dataBytes() / 1e9)}) {
                for (String tool : new String[] {"FAISS + numpy", "`qvg compress`"}) {
                    md.append("| ").append(input).append(" | ").append(tool).append(" |")
                            .append((" " + TO_BE_MEASURED + " |").repeat(4)).append('\n');
                }
            }
            md.append("\n| one k-means iteration of one head (K = 256) | FAISS | qvg `KMeansBenchmark.iteration` | "
                    + "qvg / FAISS |\n|---|---:|---:|---:|\n");
            for (int size : new int[] {8192, s}) {
                md.append("| S = ").append(size).append(" |").append((" " + TO_BE_MEASURED + " |").repeat(3))
                        .append('\n');
            }
            md.append('\n').append(LayerReport.END).append("\n\n");
        }
        md.append("How the micro-rows relate to the real job:\n\n");
        md.append(String.format(Locale.ROOT, "- A layer is %d slices (K and V of %d heads) of S = %d tokens. Per slice "
                + "the job is k-means (%d iterations: %d distance products of %.2f GFLOP each), the bf16 centroid "
                + "subtraction, block quantize + pack, plus reading and writing: %.0f GFLOP of k-means per layer "
                + "(%.0f GFLOP with the final assignment FAISS adds).%n", slices, heads, s, iters, iters, gflopPerAssign,
                gflopPerAssign * iters * slices, gflopPerAssign * (iters + 1) * slices));
        md.append(String.format(Locale.ROOT, "- k-means: the iteration row at S = %d times %d iterations times %d "
                + "slices is the layer's k-means time when slices run one after another with every thread on each; "
                + "`KMeansBenchmark.cluster` at S = %d (one slice's whole k-means through `Backend.cluster`, the call "
                + "a pipeline makes) times %d is the same estimate including the initialisation. Run them with "
                + "`-p S=%d` (any S of at least 256 works; the harness does).%n", s, iters, slices, s, slices, s));
        md.append(String.format(Locale.ROOT, "- Quantize + pack: the block-kernel rows (`[S, 128]`, INT2, block 64) at "
                + "S = %d, read off the S scaling above, times %d slices: tens of milliseconds per layer, a small "
                + "share.%n", s, slices));
        md.append("- No micro-row covers the rest of `qvg compress`'s wall time: JVM start, reading and widening the "
                + "BF16 input, the error check it prints, writing the output. The layer report sets the micro-row "
                + "estimates beside the measured wall time, and splits the baseline's time into its phases.\n\n");
        return md.toString();
    }

    /** The text between the markers of a layer report (markers excluded), or null when it has none. */
    static String block(String layerReport) {
        int from = layerReport.indexOf(LayerReport.BEGIN), to = layerReport.indexOf(LayerReport.END);
        if (from < 0 || to < from) {
            return null;
        }
        String inner = layerReport.substring(from + LayerReport.BEGIN.length(), to).strip();
        return inner.isEmpty() ? null : inner + "\n\n";
    }

    private static String dateOf(String layerReport) {
        for (String line : layerReport.split("\n")) {
            if (line.startsWith("- Date: ")) {
                return "measured " + line.substring("- Date: ".length()).trim();
            }
        }
        return "undated";
    }

    /**
     * {@code performance} with the tables between its markers replaced by those of
     * {@code layerReport} (how the harness publishes without regenerating the micro-rows), or null
     * when either text lacks the markers.
     */
    public static String splice(String performance, String layerReport) {
        String block = block(layerReport);
        int from = performance.indexOf(LayerReport.BEGIN), to = performance.indexOf(LayerReport.END);
        if (block == null || from < 0 || to < from) {
            return null;
        }
        String before = performance.substring(0, from);
        int intro = before.lastIndexOf("Measured");
        int sectionStart = before.lastIndexOf(TITLE);
        if (intro > sectionStart && sectionStart >= 0) {
            before = before.substring(0, intro) + "Measured (from `performance-layer.md`, " + dateOf(layerReport)
                    + "; its machine, BLAS and load are listed there):\n\n";
        }
        return before + LayerReport.BEGIN + '\n' + block + performance.substring(to);
    }
}
