package dev.qvg.bench.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.bench.report.RealJobSection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run folder as layer-bench.sh leaves it, made by hand with figures whose summaries are worked out below. */
class LayerReportTest {

    static final String LAYER = "one layer, K+V [1,32,29640,128] BF16 (486MB)";

    static Path runFolder(Path dir) throws IOException {
        Files.writeString(dir.resolve("machine.properties"), String.join("\n",
                "date=2026-12-06 12:00 UTC", "machine=AMD EPYC, 2 cores, 23.5 GiB RAM, Linux 6", "load_before=0.10 0.2 0.3",
                "load_after=1.9 1.0 0.5", "java=openjdk version \"17.0.15\"", "python=3.11.2", "faiss=1.7.3",
                "numpy=1.24.2", "faiss_threads=2", "blas=/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
                "tokens=29640", "heads=32", "head_dim=128", "clusters=256", "iters=5", "slices_per_layer=64",
                "runs=3 (one layer), 1 (4 layers)", "jmh_threads=2", "qvg_command=./qvg compress -m sas",
                "baseline_command=/usr/bin/python3 faiss_numpy_layer.py compress") + "\n");
        StringBuilder tsv = new StringBuilder(RunRecord.HEADER).append('\n');
        // baseline: 36, 31, 33 s; qvg: 41, 8, 9 s and a fourth run that failed (exit 1)
        double[][] runs = {{36, 31, 33}, {41, 8, 9}};
        long[][] rss = {{1_480_000, 1_500_000, 1_490_000}, {3_600_000, 1_200_000, 1_300_000}};
        for (int t = 0; t < 2; t++) {
            String tool = t == 0 ? RunRecord.BASELINE : RunRecord.QVG;
            for (int i = 0; i < 3; i++) {
                String name = "layer-" + t + "-" + (i + 1);
                Files.writeString(dir.resolve(name + ".time"), ProcessStatsTest.output(
                        String.format(Locale.ROOT, "0:%05.2f", runs[t][i]), Long.toString(rss[t][i]), ""));
                String summary = "-";
                if (t == 0) {
                    summary = name + ".json";
                    Files.writeString(dir.resolve(summary), "{\"seconds\": " + (runs[t][i] - 1) + ", \"phases_seconds\": "
                            + "{\"read\": 0.5, \"kmeans\": " + (runs[t][i] - 5) + ", \"assign\": 2.0, \"residual\": 0.25, "
                            + "\"quantize_pack\": 1.0, \"write\": 0.25}}");
                }
                tsv.append(String.join("\t", "layer", LAYER, "486000000", tool, Integer.toString(i + 1), name + ".time",
                        summary, "70000000")).append('\n');
            }
        }
        Files.writeString(dir.resolve("failed.time"), ProcessStatsTest.output("0:02.00", "99", "Command exited with "
                + "non-zero status 1\n"));
        tsv.append(String.join("\t", "layer", LAYER, "486000000", RunRecord.QVG, "4", "failed.time", "-", "0")).append('\n');
        Files.writeString(dir.resolve("runs.tsv"), tsv.toString());
        Files.writeString(dir.resolve("faiss-iteration.json"), "{\"sizes\": [{\"S\": 8192, \"median_ms\": 20.0, "
                + "\"best_ms\": 18.0}, {\"S\": 29640, \"median_ms\": 50.0, \"best_ms\": 48.0}]}");
        Files.writeString(dir.resolve("jmh-kmeans.json"), "[" + jmh("iteration", 29640, 25.0) + ","
                + jmh("iteration", 8192, 6.0) + "," + jmh("cluster", 29640, 130.0) + "]");
        return dir;
    }

    static String jmh(String method, int s, double ms) {
        return "{\"benchmark\": \"dev.qvg.bench.KMeansBenchmark." + method + "\", \"mode\": \"avgt\", \"threads\": 1, "
                + "\"forks\": 1, \"jvm\": \"java\", \"jvmArgs\": [], \"jdkVersion\": \"17\", \"vmName\": \"OpenJDK\", "
                + "\"warmupIterations\": 1, \"warmupTime\": \"2 s\", \"measurementIterations\": 3, \"measurementTime\": "
                + "\"2 s\", \"params\": {\"backend\": \"cpu\", \"S\": \"" + s + "\", \"threads\": \"2\"}, "
                + "\"primaryMetric\": {\"score\": " + ms + ", \"scoreError\": 0.1, \"scoreUnit\": \"ms/op\", "
                + "\"rawData\": [[" + ms + "]]}, \"secondaryMetrics\": {}}";
    }

    @Test
    void bestAndMedianOfEachToolWithTheFailedRunCountedApart(@TempDir Path dir) throws IOException {
        LayerRun run = LayerRun.read(runFolder(dir));
        ToolSummary base = run.tools().get(0), qvg = run.tools().get(1);
        assertEquals(31.0, base.bestWall(), 1e-9);
        assertEquals(33.0, base.medianWall(), 1e-9);
        assertEquals(8.0, qvg.bestWall(), 1e-9);
        assertEquals(9.0, qvg.medianWall(), 1e-9, "the failed run takes no part");
        assertEquals(1, qvg.failed());
        assertEquals(1_300_000L * 1024, qvg.medianRss(), 1e-9);

        String md = LayerReport.markdown(run);
        assertTrue(md.contains("| " + LAYER + " | FAISS + numpy | 3 | 31.0 s | 33.0 s | 1.52 GB | 1.53 GB |"), md);
        // 9 / 33 = 0.27; 1.3 / 1.49 GB = 0.87
        assertTrue(md.contains("| " + LAYER + " | `qvg compress` | 3 (1 failed) | 8.00 s | 9.00 s |"), md);
        assertTrue(md.contains("x0.27; x0.87 |"), md);
        // the iteration rows: 25 / 50 = 0.5 meets issue 21's 0.6 at S = 29640; 6 / 20 at 8192 has no target
        assertTrue(md.contains("| S = 29640 | 50.0 ms (48.0) | 25.0 ms | x0.50 (issue 21's x0.6: met) | 130.0 ms |"), md);
        assertTrue(md.contains("| S = 8192 | 20.0 ms (18.0) | 6.0 ms | x0.30 | - |"), md);
        // fastest baseline run (31 s wall, 30 s inside): k-means 26 s; FAISS row 50 ms x 5 x 64 = 16 s; qvg 130 ms x 64
        assertTrue(md.contains("inside the script: 30.0 s, of which k-means 26.0 s, final assignment 2.00 s"), md);
        assertTrue(md.contains("= 16.0 s of k-means expected"), md);
        assertTrue(md.contains("= 8.3 s of k-means expected"), md);
        assertTrue(md.indexOf(LayerReport.BEGIN) < md.indexOf("| input |") && md.contains(LayerReport.END), md);
        assertTrue(md.contains("openblas") && !md.contains("netlib"), "an OpenBLAS machine gets no BLAS warning");
        String block = md.substring(md.indexOf(LayerReport.BEGIN), md.indexOf(LayerReport.END));
        assertTrue(block.contains("FAISS on `/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3`")
                && block.contains("load average 0.10 0.2 0.3 before"), "the embedded block says where it ran: " + block);

        String json = LayerReport.json(run).toString();
        assertTrue(json.contains("\"wall_median_s\":9.0") && json.contains("\"runs_failed\":1"), json);
    }

    @Test
    void aBaselineOnTheReferenceBlasIsFlaggedInsideTheEmbeddedTables(@TempDir Path dir) throws IOException {
        Path run = runFolder(dir);
        Path props = run.resolve("machine.properties");
        Files.writeString(props, Files.readString(props).replace("openblas-pthread/libblas.so.3", "blas/libblas.so.3"));
        String md = LayerReport.markdown(LayerRun.read(run));
        String block = md.substring(md.indexOf(LayerReport.BEGIN), md.indexOf(LayerReport.END));
        assertTrue(block.contains("netlib reference BLAS"), block);
        assertTrue(md.contains("apt-get install libopenblas0-pthread"), md);
    }

    @Test
    void publishingWritesTheDocsReportAndReplacesOnlyTheTablesOfThePerformanceReport(@TempDir Path dir)
            throws IOException {
        LayerRun run = LayerRun.read(runFolder(Files.createDirectory(dir.resolve("run"))));
        Path docs = Files.createDirectory(dir.resolve("docs"));
        String before = "# qvg performance\n\nmicro rows\n\n" + RealJobSection.render(null) + "## Scaling with S\n\nmore\n";
        Files.writeString(docs.resolve("performance.md"), before);
        String md = LayerReport.markdown(run);
        String said = LayerReport.publish(md, docs);
        assertTrue(said.contains("replaced"), said);
        assertEquals(md, Files.readString(docs.resolve("performance-layer.md")));
        String after = Files.readString(docs.resolve("performance.md"));
        assertTrue(after.startsWith("# qvg performance\n\nmicro rows\n\n") && after.endsWith("## Scaling with S\n\nmore\n"),
                after);
        assertTrue(after.contains("| S = 29640 | 50.0 ms (48.0) |") && !after.contains("to be measured"), after);
        assertTrue(after.contains("measured 2026-12-06 12:00 UTC"), after);
        assertEquals(after, RealJobSection.splice(after, md), "publishing twice changes nothing");
        // and a regenerated report (perf-report.sh) embeds the same tables
        String regenerated = RealJobSection.render(md);
        assertTrue(after.contains(regenerated.substring(regenerated.indexOf(LayerReport.BEGIN),
                regenerated.indexOf(LayerReport.END))), regenerated);
    }
}
