package dev.qvg.spark;

import static dev.qvg.spark.SweepFixture.QUICK;
import static dev.qvg.spark.SweepFixture.args;
import static dev.qvg.spark.SweepFixture.jsonLines;
import static dev.qvg.spark.SweepFixture.sweep;
import static dev.qvg.spark.SweepFixture.withoutTimes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.io.DType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rerun into an existing output folder: the same sweep resumes (only missing units run, the
 * outputs come out the same), a different sweep or a foreign folder is refused with the fix, and
 * the plots and the summary are drawn.
 */
class SweepResumeTest {

    @TempDir
    Path dir;

    @Test
    void theSameSweepResumesAndAnotherIsRefused() throws Exception {
        Path corpus = dir.resolve("c");
        SweepFixture.kvFile(corpus.resolve("p1/layer_0.safetensors"), new KvShape(1, 2, 96, 64), DType.F32, 31);
        SweepFixture.kvFile(corpus.resolve("p1/layer_1.safetensors"), new KvShape(1, 2, 96, 64), DType.F32, 32);
        SweepFixture.kvFile(corpus.resolve("p2/layer_0.safetensors"), new KvShape(1, 2, 96, 64), DType.F32, 33);
        Path out = dir.resolve("out");
        String[] sweepArgs = {"--clusters", "8", "--iters", "6", "--input", corpus.toString(), "--out", out.toString(),
            "--method", "rtn,prq", "--bits", "2", "--stages", "2"};

        SweepFixture.Run first = sweep(sweepArgs); // with progress lines and plots
        assertEquals(0, first.code(), first.err());
        assertTrue(first.err().contains("[3/3 files, 12/12 tasks"), first.err());
        assertTrue(first.err().contains("p2/layer_0.safetensors (prompt p2, layer 0)"), first.err());
        assertTrue(first.out().contains("prq(2)"), first.out());
        for (String plot : List.of("plots/bits-vs-snr.png", "plots/bits-vs-snr.svg", "plots/heatmaps/k-prq_2_-int2.png",
                "plots/heatmaps/v-rtn-int2.png", "plots/rd-by-layer-k-prq_2_.png", Report.SUMMARY)) {
            assertTrue(Files.size(out.resolve(plot)) > 100, plot);
        }
        List<JsonNode> rows = jsonLines(out.resolve(Outputs.HEADS_JSONL));
        assertEquals(3 * 2 * 2 * 2, rows.size());

        // finished: a rerun computes nothing and writes the same rows
        SweepFixture.Run again = sweep(args(sweepArgs, "--no-plot"));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("(0 run now, 12 earlier)"), again.err());
        assertEquals(Files.readString(out.resolve(Outputs.HEADS_JSONL)), Files.readString(out.resolve(Outputs.HEADS_JSONL)));
        assertEquals(rows, jsonLines(out.resolve(Outputs.HEADS_JSONL)));

        // a unit lost (as if the run had stopped before it) and an attempt's leftover: only that unit runs again
        Path unit;
        try (Stream<Path> s = Files.walk(out.resolve(OutputFolder.UNITS))) {
            unit = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList().get(5);
        }
        Files.delete(unit);
        Files.writeString(unit.resolveSibling("." + unit.getFileName() + ".7-0.tmp"), "{\"unit\":", StandardCharsets.UTF_8);
        SweepFixture.Run resumed = sweep(args(sweepArgs, "--no-plot"));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("(11 done by an earlier run, 1 unfinished attempts cleared)"), resumed.err());
        assertTrue(resumed.err().contains("(1 run now, 11 earlier)"), resumed.err());
        assertTrue(Files.exists(unit));
        List<JsonNode> after = jsonLines(out.resolve(Outputs.HEADS_JSONL));
        assertEquals(rows.size(), after.size());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(withoutTimes(rows.get(i)), withoutTimes(after.get(i)), "row " + i);
        }

        // other settings, or a changed input: refused, naming the difference and the fix; nothing is touched
        String before = Files.readString(out.resolve(OutputFolder.MANIFEST));
        SweepFixture.Run other = sweep(args(QUICK, "--input", corpus.toString(), "--out", out.toString(), "--method", "rtn",
                "--bits", "4"));
        assertEquals(1, other.code());
        assertTrue(other.err().startsWith("qvg sweep: --out " + out + " holds a different sweep: its configurations differ"),
                other.err());
        assertTrue(other.err().contains("give a new --out, or delete the folder"), other.err());
        assertEquals(1, other.err().strip().lines().count(), other.err());
        Files.setLastModifiedTime(corpus.resolve("p1/layer_1.safetensors"), FileTime.fromMillis(1_000_000_000_000L));
        SweepFixture.Run changed = sweep(sweepArgs);
        assertEquals(1, changed.code());
        assertTrue(changed.err().contains("its input " + corpus.resolve("p1/layer_1.safetensors") + " changed since"),
                changed.err());
        assertEquals(before, Files.readString(out.resolve(OutputFolder.MANIFEST)));
        assertFalse(Files.exists(out.resolve(OutputFolder.LOCK)));
    }

    @Test
    void foreignFoldersAndBusyFoldersAreRefused() throws Exception {
        Path corpus = dir.resolve("c");
        SweepFixture.kvFile(corpus.resolve("layer_0.safetensors"), new KvShape(1, 1, 64, 64), DType.F32, 41);
        Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("thesis.tex"), "\\documentclass{article}", StandardCharsets.UTF_8);
        SweepFixture.Run r = sweep(args(QUICK, "--input", corpus.toString(), "--out", foreign.toString()));
        assertEquals(1, r.code());
        assertEquals("qvg sweep: --out " + foreign + " is not empty and holds no sweep (no sweep.json); give a new or empty"
                + " folder", r.err().strip());
        assertEquals(List.of("thesis.tex"), Files.list(foreign).map(p -> p.getFileName().toString()).toList());

        Path busy = dir.resolve("busy");
        Files.createDirectories(busy);
        // held by a live process: this one, as another sweep on this host would be
        Files.writeString(busy.resolve(OutputFolder.LOCK), ProcessHandle.current().pid() + "@"
                + java.net.InetAddress.getLocalHost().getHostName() + "\n");
        SweepFixture.Run b = sweep(args(QUICK, "--input", corpus.toString(), "--out", busy.toString()));
        assertEquals(1, b.code());
        assertTrue(b.err().contains("is being written by another sweep (process " + ProcessHandle.current().pid()), b.err());
        // a lock left by a process that is gone is taken over
        Files.writeString(busy.resolve(OutputFolder.LOCK), "2147483646@" + java.net.InetAddress.getLocalHost().getHostName());
        SweepFixture.Run taken = sweep(args(QUICK, "--input", corpus.toString(), "--out", busy.toString(), "--method", "rtn",
                "--bits", "2"));
        assertEquals(0, taken.code(), taken.err());
        assertFalse(Files.exists(busy.resolve(OutputFolder.LOCK)));
    }
}
