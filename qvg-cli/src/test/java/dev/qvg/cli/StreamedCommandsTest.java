package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.cli.eval.OpenPipeline;
import dev.qvg.io.DType;
import dev.qvg.io.KvFiles;
import dev.qvg.io.Npy;
import dev.qvg.io.QuantizedKvFile;
import dev.qvg.io.SafeTensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streamed commands against the whole-tensor path they replaced: {@code compress} in groups
 * of 1 or 2 slices writes the bytes of quantizing each tensor whole and writing it with
 * {@link QuantizedKvFile#write}; {@code decompress} in groups writes the bytes of decoding whole
 * entries; {@code eval} reports the same figures whatever the group size.
 */
class StreamedCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** 2 batches x 3 heads of 96 x 64: one slice is 24 KiB of float32. */
    private static final KvShape SHAPE = new KvShape(2, 3, 96, 64);
    /** 0.03 MiB holds one slice, 0.05 two. */
    private static final List<String> GROUPS = List.of("0.03", "0.05", "64");

    @TempDir
    Path dir;

    private static KvTensor tensor(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[SHAPE.numel()];
        float[] centres = new float[8 * 64];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = (float) (r.nextGaussian() * 2);
        }
        for (int t = 0; t < v.length / 64; t++) {
            int c = r.nextInt(8);
            for (int d = 0; d < 64; d++) {
                v[t * 64 + d] = centres[c * 64 + d] + (float) (r.nextGaussian() * 0.3) + (d == 5 ? 8 : 0);
            }
        }
        return KvTensor.wrap(SHAPE, v);
    }

    /** k and v in the given dtype and layout ({@code .npy}: k only, F32 or F16). */
    private Path input(String name, DType dtype, Layout layout) throws Exception {
        Path f = dir.resolve(name);
        if (name.endsWith(".npy")) {
            Npy.writeKv(f, tensor(1), dtype, layout, false);
        } else {
            new SafeTensorsWriter().addKv("k", tensor(1), dtype, layout).addKv("v", tensor(2), dtype, layout).write(f, false);
        }
        return f;
    }

    private static List<String> args(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof List<?> l) {
                l.forEach(x -> out.add(x.toString()));
            } else {
                out.add(p.toString());
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "-m rtn -b 2",
        "-m sas -b 2 --clusters 8 --iters 5 --tol 0",
        "-m prq --stages 2 -b 4 --asymmetric --scale fp8 --clusters 8 --iters 4",
        "-m kivi -b 2 --kivi-group 32 --kivi-residual 16"})
    void compressInGroupsWritesTheBytesOfTheWholeTensorPath(String method) throws Exception {
        List<String> options = List.of(method.split(" "));
        for (Path in : List.of(input("kv.safetensors", DType.F32, Layout.BHSD), input("kv-bshd.safetensors", DType.BF16,
                Layout.BSHD), input("k.npy", DType.F16, Layout.BSHD))) {
            Layout layout = in.getFileName().toString().contains("bshd") || in.toString().endsWith(".npy") ? Layout.BSHD
                    : Layout.BHSD;
            byte[] first = null;
            String report = null;
            for (String g : GROUPS) {
                Path out = dir.resolve("out-" + g + ".qvg.safetensors");
                CliRun r = CliRun.run(args("compress", "--input", in, "--output", out, "--layout", layout.name().toLowerCase(),
                        "--group-mib", g, "--force", options));
                assertEquals(0, r.exit(), r.toString());
                byte[] bytes = Files.readAllBytes(out);
                String text = r.out().replace(out.toString(), "OUT");
                if (first == null) {
                    first = bytes;
                    report = text;
                    assertArrayEquals(wholeTensorPath(in, layout, out), bytes, in + " " + method);
                } else {
                    assertArrayEquals(first, bytes, in + " " + method + ": groups of " + g + " MiB");
                    assertEquals(report, text, "the same report whatever the groups");
                }
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    /** What compress wrote before it streamed: each tensor quantized whole, the file written at once. */
    private byte[] wholeTensorPath(Path in, Layout layout, Path streamed) throws Exception {
        QuantizerConfig cfg = QuantizedKvFile.read(streamed).config();
        Map<String, KvTensor> tensors = KvFiles.readAll(in, layout);
        Map<String, QuantizedKv> whole = new LinkedHashMap<>();
        try (OpenPipeline p = OpenPipeline.open(cfg)) {
            for (Map.Entry<String, KvTensor> e : tensors.entrySet()) {
                KvRole role = e.getKey().startsWith("k") ? KvRole.KEY : KvRole.VALUE;
                whole.put(e.getKey(), p.quantizer().quantize(e.getValue().toBhsd(), role));
            }
        }
        Path oracle = dir.resolve("oracle.qvg.safetensors");
        QuantizedKvFile.write(oracle, whole, cfg, true);
        return Files.readAllBytes(oracle);
    }

    @Test
    void decompressInGroupsWritesTheBytesOfDecodingWholeEntries() throws Exception {
        Path in = input("kv.safetensors", DType.F32, Layout.BHSD);
        Path q = dir.resolve("kv.qvg.safetensors");
        assertEquals(0, CliRun.run(args("compress", "--input", in, "--output", q, "-m", "kivi", "--kivi-group", "32",
                "--kivi-residual", "16")).exit());
        QuantizedKvFile.Contents c = QuantizedKvFile.read(q);
        for (String[] variant : new String[][] {{"f32", "bhsd", "a.safetensors"}, {"bf16", "bshd", "b.safetensors"}}) {
            DType dtype = DType.parseFloating(variant[0]);
            Layout layout = Layout.parse(variant[1]);
            SafeTensorsWriter w = new SafeTensorsWriter().metadata("qvg.decompressed_from", q.getFileName().toString())
                    .metadata("qvg.config", c.config().label());
            c.entries().forEach((name, e) -> w.addKv(name, ReferenceDecoder.decode(e), dtype, layout));
            Path oracle = dir.resolve("oracle-" + variant[2]);
            w.write(oracle, false);
            for (String g : GROUPS) {
                Path out = dir.resolve(g + "-" + variant[2]);
                CliRun r = CliRun.run("decompress", "--input", q.toString(), "--output", out.toString(), "--dtype", variant[0],
                        "--layout", variant[1], "--group-mib", g);
                assertEquals(0, r.exit(), r.toString());
                assertArrayEquals(Files.readAllBytes(oracle), Files.readAllBytes(out), variant[2] + " in groups of " + g);
            }
        }
        Path k = dir.resolve("k.qvg.safetensors");
        assertEquals(0, CliRun.run(args("compress", "--input", in, "--tensor", "k", "--output", k, "-m", "rtn")).exit());
        Path npyOracle = dir.resolve("oracle.npy");
        Npy.writeKv(npyOracle, ReferenceDecoder.decode(QuantizedKvFile.read(k).entry("k")), DType.F16, Layout.BSHD, false);
        Path npy = dir.resolve("k.npy");
        CliRun r = CliRun.run("decompress", "--input", k.toString(), "--output", npy.toString(), "--dtype", "f16", "--layout",
                "bshd", "--group-mib", "0.03");
        assertEquals(0, r.exit(), r.toString());
        assertArrayEquals(Files.readAllBytes(npyOracle), Files.readAllBytes(npy));
    }

    @Test
    void decompressDecodesOnTheBackendAndEntriesOfAnAbsentPluginWithTheReference() throws Exception {
        Path in = input("kv.safetensors", DType.F32, Layout.BHSD);
        Path q = dir.resolve("kv.qvg.safetensors");
        assertEquals(0, CliRun.run(args("compress", "--input", in, "--output", q, "-m", "prq", "--stages", "2", "--clusters",
                "8", "--bits", "4", "--asymmetric")).exit());
        // the same entries as written by a plug-in method that is not on this class path
        Map<String, QuantizedKv> foreign = new LinkedHashMap<>();
        QuantizedKvFile.read(q).entries().forEach((n, e) -> foreign.put(n, e.withMethod("absentplugin", e.info())));
        Path f = dir.resolve("foreign.qvg.safetensors");
        QuantizedKvFile.write(f, foreign, null, false);
        for (Path file : List.of(q, f)) {
            SafeTensorsWriter w = new SafeTensorsWriter().metadata("qvg.decompressed_from", file.getFileName().toString());
            QuantizedKvFile.Contents c = QuantizedKvFile.read(file);
            if (c.config() != null) {
                w.metadata("qvg.config", c.config().label());
            }
            c.entries().forEach((name, e) -> w.addKv(name, ReferenceDecoder.decode(e), DType.F32, Layout.BHSD));
            Path oracle = dir.resolve("oracle-" + file.getFileName());
            w.write(oracle, false);
            Path out = dir.resolve("out-" + file.getFileName());
            CliRun r = CliRun.run("decompress", "--input", file.toString(), "--output", out.toString(), "--backend", "cpu",
                    "--group-mib", "0.05");
            assertEquals(0, r.exit(), r.toString());
            assertArrayEquals(Files.readAllBytes(oracle), Files.readAllBytes(out), file.getFileName().toString());
        }
        assertEquals(2, CliRun.run("decompress", "--input", q.toString(), "--output", dir.resolve("x").toString(),
                "--backend", "nosuchbackend").exit());
    }

    @Test
    void evalReportsTheSameFiguresWhateverTheGroups() throws Exception {
        Path in = input("kv.safetensors", DType.F32, Layout.BHSD);
        List<String> base = List.of("eval", "--input", in.toString(), "--method", "rtn,sas,kivi", "--bits", "2",
                "--clusters", "8", "--iters", "6", "--kivi-group", "32", "--kivi-residual", "16", "--compare", "cpu", "--attention", "--queries", "8",
                "--format", "json", "--no-plot");
        List<String> expected = null;
        for (String g : GROUPS) {
            CliRun r = CliRun.run(args(base, "--group-mib", g));
            assertEquals(0, r.exit(), r.toString());
            List<String> rows = new ArrayList<>();
            for (String line : r.out().lines().toList()) {
                ObjectNode o = (ObjectNode) JSON.readTree(line);
                o.remove(List.of("seconds", "quantize_seconds", "dequantize_seconds"));
                ((ObjectNode) o.get("compare")).remove("seconds");
                assertTrue(o.get("compare").get("identical").asBoolean(), line);
                assertTrue(o.has("attention_rel_l2"), line);
                rows.add(o.toString());
            }
            assertEquals(6, rows.size(), r.out());
            if (expected == null) {
                expected = rows;
            } else {
                assertEquals(expected, rows, "groups of " + g + " MiB");
            }
        }
    }

    @Test
    void aReconstructionThatCannotBeReadBackIsNeverWritten() throws Exception {
        float[] v = new float[2 * 8 * 64];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i);
        }
        v[64 * 8 + 3] = 3.0e38f;  // slice 1: max - min of its first block overflows float32
        v[64 * 8 + 4] = -3.0e38f;
        Path in = TestData.write(dir.resolve("huge.safetensors"), "k", KvTensor.wrap(new KvShape(1, 2, 8, 64), v));
        Path out = dir.resolve("huge.qvg.safetensors");
        CliRun r = CliRun.run("compress", "--input", in.toString(), "--output", out.toString(), "-m", "rtn", "--asymmetric",
                "--group-mib", "0.001");
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.errLines(), r.toString());
        assertTrue(r.err().contains("tensor 'k'") && r.err().contains("h=1, s=0"), r.toString());
        assertFalse(Files.exists(out));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "only the input: no output, no temporary file");
        }
    }

    @Test
    void theInputItselfOrALinkIsNeverAnOutput() throws Exception {
        Path in = TestData.writeSmall(dir);
        byte[] before = Files.readAllBytes(in);
        CliRun same = CliRun.run("compress", "--input", in.toString(), "--output", in.toString(), "-m", "rtn", "--force");
        assertEquals(1, same.exit(), same.toString());
        assertTrue(same.err().contains("is the input file"), same.toString());
        Path link = Files.createSymbolicLink(dir.resolve("link.qvg.safetensors"), in);
        CliRun viaLink = CliRun.run("compress", "--input", in.toString(), "--output", link.toString(), "-m", "rtn", "--force");
        assertEquals(1, viaLink.exit(), viaLink.toString());
        assertTrue(viaLink.err().contains("is the input file"), viaLink.toString()); // a link to the input: named as such
        assertArrayEquals(before, Files.readAllBytes(in), "the input is untouched");
        Path q = dir.resolve("kv.qvg.safetensors");
        assertEquals(0, CliRun.run("compress", "--input", in.toString(), "--output", q.toString(), "-m", "rtn").exit());
        CliRun back = CliRun.run("decompress", "--input", q.toString(), "--output", q.toString(), "--force");
        assertEquals(1, back.exit(), back.toString());
        assertTrue(back.err().contains("is the input file"), back.toString());
    }
}
