package dev.qvg.spark;

import static dev.qvg.spark.SweepFixture.QUICK;
import static dev.qvg.spark.SweepFixture.args;
import static dev.qvg.spark.SweepFixture.sweep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage and input errors are one line with qvg's exit codes; layer and prompt come from paths as documented. */
class SweepCommandTest {

    @TempDir
    Path dir;

    @Test
    void usageErrorsAreOneLineWithExitCode2() {
        for (String[] a : new String[][] {
            {"--out", "x"},
            {"--input", "x"},
            {"--input", "x", "--out", "y", "--pattern", "layer(\\d+)"},
            {"--input", "x", "--out", "y", "--pattern", "(unclosed"},
            {"--input", "x", "--out", "y", "--slices-per-task", "-1"},
            {"--input", "x", "--out", "y", "--group-mib", "0"},
            {"--input", "x", "--out", "y", "--layout", "sbhd"},
            {"--input", "x", "--out", "y", "--method", "nosuch"},
            // the methods' knobs are options of the sweep too, refused for methods without them
            {"--input", "x", "--out", "y", "--method", "rtn", "--kivi-group", "16"},
            {"--input", "x", "--out", "y", "--method", "kivi", "--kivi-group", "many"},
            {"--input", "x", "--out", "y", "--k-bits", "4"},
            // tuning: one target, a valid one, and search options only with a target
            {"--input", "x", "--out", "y", "--tune-snr-db", "20", "--tune-rel-l2", "0.1"},
            {"--input", "x", "--out", "y", "--tune-rel-l2", "2"},
            {"--input", "x", "--out", "y", "--tune-snr-db", "20", "--tune-clusters", "0"},
            {"--input", "x", "--out", "y", "--tune-bits", "2,4"}}) {
            SweepFixture.Run r = sweep(a);
            assertEquals(2, r.code(), String.join(" ", a) + ": " + r.err());
            assertTrue(r.err().startsWith("qvg sweep: ") && r.err().strip().endsWith("(see 'qvg sweep --help')"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    @Test
    void missingInputsAreBadInputWithExitCode1() throws Exception {
        SweepFixture.Run none = sweep(args(QUICK, "--input", dir.resolve("nothing").toString(), "--out", dir.resolve("o").toString()));
        assertEquals(1, none.code());
        assertEquals("qvg sweep: --input " + dir.resolve("nothing") + ": no such file or folder", none.err().strip());
        Files.createDirectories(dir.resolve("empty"));
        SweepFixture.Run empty = sweep(args(QUICK, "--input", dir.resolve("empty").toString(), "--out", dir.resolve("o").toString()));
        assertEquals(1, empty.code());
        assertTrue(empty.err().contains("no .safetensors or .npy file in the folder"), empty.err());
        SweepFixture.Run config = sweep(args(QUICK, "--input", dir.toString(), "--out", dir.resolve("o").toString(),
                "--config", dir.resolve("no-tuned.json").toString()));
        assertEquals(1, config.code());
        assertTrue(config.err().startsWith("qvg sweep: " + dir.resolve("no-tuned.json") + ": cannot read the config file"),
                config.err());
        SweepFixture.Run glob = sweep(args(QUICK, "--input", dir + "/*/*.npy", "--out", dir.resolve("o").toString()));
        assertEquals(1, glob.code());
        assertTrue(glob.err().contains("the pattern matches no file"), glob.err());
        // only unusable files: nothing to sweep is an error, with the first reason
        Files.writeString(dir.resolve("empty/a.npy"), "nope");
        SweepFixture.Run bad = sweep(args(QUICK, "--input", dir.resolve("empty").toString(), "--out", dir.resolve("o2").toString()));
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("no usable tensor in 1 input file (first: "), bad.err());
    }

    @Test
    void layerAndPromptFromPaths() throws Exception {
        PathFields d = PathFields.defaults();
        assertEquals(new PathFields.Fields("prompt-017", 3), d.of("prompt-017/layer_03.safetensors", "k"));
        assertEquals(new PathFields.Fields(null, 12), d.of("dump.safetensors", "model.layers.12.self_attn.k"));
        assertEquals(new PathFields.Fields("a/b", 7), d.of("a/b/blk7_kv.safetensors", "v"));
        assertEquals(new PathFields.Fields("run", null), d.of("run/model_12.safetensors", "k"));
        PathFields p = PathFields.pattern("(?<prompt>[^/]+)/L(?<layer>\\d+)\\.npy");
        assertEquals(new PathFields.Fields("cat", 4), p.of("cat/L4.npy", "L4"));
        assertThrows(PathFields.NoMatch.class, () -> p.of("cat/layer4.npy", "x"));
        assertNull(PathFields.pattern("(?<prompt>\\w+)/").of("cat/x.npy", "x").layer());
        assertThrows(PathFields.NoMatch.class, () -> PathFields.pattern("(?<layer>[a-z]+)").of("abc", "k"));
    }

    @Test
    void localMastersGetRetries() {
        assertEquals("local[*,4]", Sessions.withAttempts("local[*]"));
        assertEquals("local[1,4]", Sessions.withAttempts("local"));
        assertEquals("local[8,4]", Sessions.withAttempts("local[8]"));
        assertEquals("local[2,3]", Sessions.withAttempts("local[2,3]"));
        assertEquals("spark://h:7077", Sessions.withAttempts("spark://h:7077"));
    }

    /** The launcher opens what the tests' JVM opens (the module's pom): one list, written twice. */
    @Test
    void launcherJavaOptionsMatchThePom() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        String pom = Files.readString(root.resolve("qvg-spark/pom.xml"));
        Matcher m = Pattern.compile("<spark.java.options>(.*)</spark.java.options>").matcher(pom);
        assertTrue(m.find());
        String launcher = Files.readString(root.resolve("qvg-sweep"));
        assertTrue(launcher.contains("spark_java_options=\"" + m.group(1) + "\""),
                "qvg-sweep's spark_java_options differ from qvg-spark/pom.xml's spark.java.options");
    }
}
