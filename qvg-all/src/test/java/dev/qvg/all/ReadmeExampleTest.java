package dev.qvg.all;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.inject.Pipelines;
import dev.qvg.io.DType;
import dev.qvg.io.KvFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java example is {@link QuantizeKv}: this runs it as a user would (on floats it
 * holds, and on a .safetensors and a .npy file) with qvg-all's class path only, and checks that
 * the README shows its source byte for byte and the coordinates of this build.
 */
class ReadmeExampleTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LINE = Pattern.compile(
            "(prq\\S* .*K=256): (\\d+\\.\\d{4}) bits per value, relative L2 error (\\d+\\.\\d{4})\n");

    /** What {@code QuantizeKv.main(args)} printed. */
    private static String run(String... args) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(p);
            QuantizeKv.main(args);
        } finally {
            System.setOut(saved);
        }
        String s = out.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
        saved.print("QuantizeKv: " + s);
        return s;
    }

    /** The example's config, its exact bits per value for {@code shape}, as printed. */
    private static String bitsPerValue(KvShape shape) {
        QuantizerConfig cfg = QuantizerConfig.builder().method("prq").stages(2).bits(2).blockSize(64).clusters(256)
                .seed(7).backend("cpu").build();
        try (Quantizer q = Pipelines.quantizer(cfg)) {
            return String.format(Locale.ROOT, "%.4f", q.budget(shape, KvRole.KEY).bitsPerValue());
        }
    }

    private static Matcher check(String printed, KvShape shape, double maxRelL2) {
        Matcher m = LINE.matcher(printed);
        assertTrue(m.matches(), printed);
        assertEquals(bitsPerValue(shape), m.group(2), "exact storage, from the shape alone");
        double relL2 = Double.parseDouble(m.group(3));
        assertTrue(relL2 > 0 && relL2 < maxRelL2, printed);
        return m;
    }

    @Test
    void runsOnFloatsItHolds() throws Exception {
        // Gaussian noise has no clusters for smoothing to take out: symmetric INT2 (three levels)
        // leaves most of it (0.63 measured), where video KV with its token groups gets far less
        check(run(), new KvShape(1, 2, 4096, 128), 0.7);
    }

    @Test
    void runsOnASafetensorsAndANpyFile(@TempDir Path dir) throws Exception {
        KvShape shape = new KvShape(1, 2, 512, 64);
        float[] f = new float[(int) shape.numel()];
        Random r = new Random(3);
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (r.nextGaussian() + 4 * ((i / 64 / 32) % 5)); // 5 groups of tokens: smoothing removes them
        }
        KvTensor k = KvTensor.wrap(shape, f);
        Path st = dir.resolve("kv.safetensors");
        KvFiles.write(st, Map.of("k", k, "v", k), DType.BF16, Layout.BHSD, false);
        Path npy = dir.resolve("k.npy");
        KvFiles.write(npy, Map.of("k", k), DType.F32, Layout.BHSD, false);
        String fromSafetensors = run(st.toString());
        String fromNpy = run(npy.toString());
        check(fromSafetensors, shape, 0.35);
        check(fromNpy, shape, 0.35);
    }

    @Test
    void theReadmeShowsTheExampleByteForByte() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        String section = section(readme, "## Using it from Java");
        String source = Files.readString(Path.of("src/test/java/dev/qvg/all/QuantizeKv.java"), StandardCharsets.UTF_8);
        String begin = "// README:begin\n";
        String end = "// README:end\n";
        int from = source.indexOf(begin);
        int to = source.indexOf(end);
        assertTrue(from >= 0 && to > from, "README:begin and README:end in QuantizeKv.java");
        String region = source.substring(from + begin.length(), to);
        assertEquals(region, block(section, "java"),
                "README.md's Java example must be QuantizeKv.java's marked region, byte for byte");
    }

    @Test
    void theReadmesCoordinatesAreThisBuilds() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        String xml = block(section(readme, "## Using it from Java"), "xml");
        String version = Files.readString(ROOT.resolve("qvg-bom/pom.xml"), StandardCharsets.UTF_8)
                .replaceAll("(?s).*?<artifactId>qvg-bom</artifactId>\\s*<version>([^<]+)</version>.*", "$1");
        assertTrue(xml.contains("""
                    <dependency>
                      <groupId>dev.qvg</groupId>
                      <artifactId>qvg-bom</artifactId>
                      <version>%s</version>
                      <type>pom</type>
                      <scope>import</scope>
                    </dependency>
                """.formatted(version)), xml);
        assertTrue(xml.contains("""
                  <dependency>
                    <groupId>dev.qvg</groupId>
                    <artifactId>qvg-all</artifactId>
                  </dependency>
                """), xml);
    }

    /** From {@code heading} to the next heading of the same level. */
    private static String section(String md, String heading) {
        int at = md.indexOf("\n" + heading + "\n");
        assertTrue(at >= 0, "README.md has no '" + heading + "'");
        int next = md.indexOf("\n## ", at + heading.length() + 1);
        return md.substring(at, next < 0 ? md.length() : next);
    }

    /** The body of the first fenced block of {@code lang} in {@code text}. */
    private static String block(String text, String lang) {
        String open = "\n```" + lang + "\n";
        int from = text.indexOf(open);
        assertTrue(from >= 0, "no ```" + lang + " block");
        int to = text.indexOf("\n```\n", from + open.length() - 1);
        assertTrue(to >= 0, "unclosed ```" + lang + " block");
        return text.substring(from + open.length(), to + 1);
    }
}
