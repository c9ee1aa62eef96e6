package dev.qvg.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KernelTimings} end to end at tiny sizes on the host emulation with a wall clock: every
 * row is produced, in the Markdown table and in the JSON file, so the first GPU run cannot lose
 * its timings to a mistake in this code (what only the GPU can say are the numbers).
 */
class KernelTimingsEmulatedTest {

    @BeforeAll
    static void emulator() {
        HostEmulator.requireFor("KernelTimingsEmulatedTest");
    }

    @Test
    void everyRowIsMeasuredAndWritten(@TempDir Path tmp) throws Exception {
        EmulatedDevice dev = new EmulatedDevice();
        KernelTimings.Clock wall = (reps, work) -> {
            long t0 = System.nanoTime();
            work.run();
            dev.synchronize();
            return (System.nanoTime() - t0) / 1e6;
        };
        Path json = tmp.resolve("timings.json");
        PrintStream out = System.out;
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        System.setOut(new PrintStream(text, true, StandardCharsets.UTF_8));
        try {
            new KernelTimings(dev, wall, 1, json, "\"emulated\": true", 100, 1)
                    .runAll(new KernelTimings.Shapes(2, 300, 2, 512, 1 << 20, 1));
        } finally {
            System.setOut(out);
        }
        String table = text.toString(StandardCharsets.UTF_8), written = Files.readString(json);
        System.out.print(table);
        for (String key : List.of("d2d_copy", "assign_single", "update_single", "kmeans_iter_layer", "quantize_layer",
                "decode_f32_layer", "decode_bf16_layer", "cluster_layer_wall", "encode_span_layer_wall")) {
            assertTrue(table.contains("| " + key + " |"), key + " missing from the table:\n" + table);
            assertTrue(written.contains("\"key\": \"" + key + "\""), key + " missing from the JSON:\n" + written);
        }
        assertTrue(written.startsWith("{\"device\": {\"emulated\": true},"), written);
        compareScriptReads(json, tmp);
    }

    /** scripts/compare_timings.py reads what KernelTimings writes (the device run joins the two there). */
    private static void compareScriptReads(Path json, Path tmp) throws Exception {
        String why = ModuleSources.missing("scripts/compare_timings.py");
        if (why != null) {
            System.out.println("KernelTimingsEmulatedTest: " + why + ": comparison script not checked");
            return;
        }
        Path torch = tmp.resolve("torch.json");
        Files.writeString(torch, "{\"device\": {}, \"rows\": [{\"key\": \"kmeans_iter_layer\", \"what\": \"w\", "
                + "\"shape\": \"s\", \"ms\": 2.0, \"value\": 1.0, \"unit\": \"TFLOP/s\"}]}");
        Process p;
        try {
            p = new ProcessBuilder("python3", ModuleSources.resolve("scripts/compare_timings.py").toString(), json.toString(),
                    torch.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            System.out.println("KernelTimingsEmulatedTest: no python3 (" + e.getMessage() + "): comparison script not checked");
            return;
        }
        String table = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor() == 0, table);
        assertTrue(table.contains("| kmeans_iter_layer | ") && table.contains("| kmeans_iter_layer | 2.000 ms |"), table);
        assertTrue(table.contains("| encode_span_layer_wall | "), table);
    }
}
