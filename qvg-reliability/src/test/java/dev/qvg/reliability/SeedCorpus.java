package dev.qvg.reliability;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.io.DType;
import dev.qvg.io.Npy;
import dev.qvg.io.QuantizedKvFile;
import dev.qvg.io.SafeTensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The seed corpus: small valid files of every reader (written by qvg-io's own writers and the
 * real quantizers) and hostile ones, one per way a file can lie (the cases of the CLI issue plus
 * numeric edge cases). Names say what to expect: {@code valid-*} must read, {@code hostile-*}
 * must be refused with {@code CorruptFileException}; {@code crash-*} are fuzzer findings kept as
 * regressions (and must be refused too). Regenerate with
 * {@code mvn -o -pl qvg-reliability test -Dtest=SeedCorpusTest -Dqvg.regenerateCorpus=true}.
 */
final class SeedCorpus {

    /** Resource directories, following Jazzer's {@code <Class>Inputs/<method>} convention. */
    static final String SAFETENSORS_DIR = "dev/qvg/reliability/SafeTensorsFuzzTestInputs/safeTensors";
    static final String NPY_DIR = "dev/qvg/reliability/NpyFuzzTestInputs/npy";
    static final String QUANTIZED_DIR = "dev/qvg/reliability/QuantizedKvFileFuzzTestInputs/quantizedKvFile";

    private SeedCorpus() {
    }

    // ---------------------------------------------------------------- safetensors

    static Map<String, byte[]> safeTensors() throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        KvShape s = new KvShape(1, 2, 8, 16);
        KvTensor k = Quantize.tensor(s, 1), v = Quantize.tensor(s, 2);
        m.put("valid-kv-bf16.safetensors", written(new SafeTensorsWriter().metadata("format", "pt")
                .addKv("k", k, DType.BF16).addKv("v", v, DType.BF16)));
        m.put("valid-f32-f16-ranks.safetensors", written(new SafeTensorsWriter()
                .addFloats("a", DType.F32, new long[] {4, 8}, ramp(32))
                .addFloats("b", DType.F16, new long[] {2, 3, 4}, ramp(24))
                .addKv("c", Quantize.tensor(new KvShape(1, 1, 4, 4), 3), DType.F32, Layout.BSHD)));
        m.put("valid-integer-dtypes.safetensors", written(new SafeTensorsWriter()
                .addBytes("codes", new long[] {3, 5}, new byte[15])
                .addShorts("bits", DType.U16, new long[] {4}, new short[] {1, -1, 0x7F80, 0})
                .addInts("iters", new long[] {2}, new int[] {7, -1})
                .addFloats("x", DType.F32, new long[] {1, 2}, new float[] {1, 2})));
        m.put("valid-empty-and-scalar.safetensors", written(new SafeTensorsWriter()
                .addFloats("empty", DType.F32, new long[] {0, 4}, new float[0])
                .addFloats("scalar", DType.F32, new long[] {}, new float[] {3})));
        m.put("valid-header-only.safetensors", craft("{}", 0));

        m.put("hostile-shorter-than-length.safetensors", new byte[] {1, 2, 3});
        m.put("hostile-header-beyond-file.safetensors", craft(1000, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]));
        m.put("hostile-header-length-2^63.safetensors", craft(Long.MIN_VALUE, new byte[] {'{', '}'}, new byte[0]));
        m.put("hostile-header-length-max.safetensors", craft(-1L, new byte[] {'{', '}'}, new byte[0]));
        m.put("hostile-header-not-json.safetensors", craft("{\"k\": [", 0));
        m.put("hostile-header-array.safetensors", craft("[1,2,3]", 0));
        m.put("hostile-header-deep-nesting.safetensors", craft("[".repeat(5000) + "]".repeat(5000), 0));
        m.put("hostile-duplicate-key.safetensors", craft(entry("k", "F32", "[1]", 0, 4) + "," + entry("k", "F32", "[1]", 0, 4), 4));
        m.put("hostile-offsets-beyond-data.safetensors", craft(entry("k", "F32", "[4]", 0, 16), 8));
        m.put("hostile-offsets-reversed.safetensors", craft(entry("k", "F32", "[0]", 8, 0), 8));
        m.put("hostile-offsets-overlap.safetensors", craft(entry("a", "F32", "[2]", 0, 8) + ","
                + entry("b", "F32", "[2]", 4, 12), 12));
        m.put("hostile-offsets-gap.safetensors", craft(entry("a", "F32", "[1]", 0, 4) + ","
                + entry("b", "F32", "[1]", 8, 12), 12));
        m.put("hostile-trailing-bytes.safetensors", craft(entry("a", "F32", "[1]", 0, 4), 9));
        m.put("hostile-dtype-shape-mismatch.safetensors", craft(entry("k", "F32", "[2,2]", 0, 12), 12));
        m.put("hostile-unknown-dtype.safetensors", craft(entry("k", "Q7", "[1]", 0, 4), 4));
        m.put("hostile-shape-overflow.safetensors", craft(entry("k", "F32", "[4294967296,4294967296,16]", 0, 0), 0));
        m.put("hostile-shape-zero-times-huge.safetensors", craft(entry("k", "F32", "[0,9223372036854775807,9]", 0, 0), 0));
        m.put("hostile-shape-negative.safetensors", craft(entry("k", "F32", "[-1,-4]", 0, 16), 16));
        m.put("hostile-shape-fraction.safetensors", craft(entry("k", "F32", "[1.5]", 0, 4), 4));
        m.put("hostile-shape-1e400.safetensors", craft(entry("k", "F32", "[1e400]", 0, 4), 4));
        m.put("hostile-offset-2^64.safetensors", craft(entry("k", "F32", "[1]", 0, 18446744073709551616.0), 4));
        m.put("hostile-metadata-not-string.safetensors", craft("\"__metadata__\": {\"a\": 1}", 0));
        m.put("hostile-extra-field.safetensors", craft("\"k\": {\"dtype\": \"F32\", \"shape\": [1], "
                + "\"data_offsets\": [0, 4], \"x\": 1}", 4));
        m.put("hostile-truncated-data.safetensors", Arrays.copyOf(m.get("valid-kv-bf16.safetensors"),
                m.get("valid-kv-bf16.safetensors").length - 10));
        m.put("hostile-nan-in-kv.safetensors", withNan(new SafeTensorsWriter()
                .addFloats("k", DType.F32, new long[] {1, 1, 2, 2}, new float[] {1, 2, 3, 4})));
        m.put("hostile-kv-rank-5.safetensors", written(new SafeTensorsWriter()
                .addFloats("k", DType.F32, new long[] {1, 1, 1, 2, 2}, new float[] {1, 2, 3, 4})));
        m.put("hostile-kv-zero-tokens.safetensors", written(new SafeTensorsWriter()
                .addFloats("k", DType.F32, new long[] {1, 1, 0, 2}, new float[0])));
        return m;
    }

    private static float[] ramp(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = i * 0.5f - 3;
        }
        return f;
    }

    private static String entry(String name, String dtype, String shape, long begin, Object end) {
        return "\"" + name + "\": {\"dtype\": \"" + dtype + "\", \"shape\": " + shape + ", \"data_offsets\": [" + begin
                + ", " + end + "]}";
    }

    private static byte[] craft(String entries, int dataBytes) {
        String json = entries.startsWith("{") || entries.startsWith("[") ? entries : "{" + entries + "}";
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return craft(h.length, h, new byte[dataBytes]);
    }

    static byte[] craft(long declaredHeaderLength, byte[] header, byte[] data) {
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(declaredHeaderLength).put(header).put(data).array();
    }

    /** The writer's file with its last F32 element replaced by a NaN (the writer itself refuses NaN). */
    private static byte[] withNan(SafeTensorsWriter w) throws IOException {
        byte[] b = written(w);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(b.length - 4, Float.NaN);
        return b;
    }

    private static byte[] written(SafeTensorsWriter w) throws IOException {
        Path p = Files.createTempFile("seed", ".safetensors");
        try {
            w.write(p, true);
            return Files.readAllBytes(p);
        } finally {
            Files.deleteIfExists(p);
        }
    }

    // ---------------------------------------------------------------- npy

    static Map<String, byte[]> npy() throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("valid-f32-rank3.npy", npy(new long[] {2, 3, 4}, ramp(24), DType.F32));
        m.put("valid-f16-rank2.npy", npy(new long[] {4, 8}, ramp(32), DType.F16));
        m.put("valid-kv-rank4.npy", npy(new long[] {1, 2, 4, 8}, Quantize.tensor(new KvShape(1, 2, 4, 8), 4).data(), DType.F32));
        m.put("valid-v2-header.npy", npyRaw(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 16));
        m.put("valid-v3-header.npy", npyRaw(3, "{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", 6));

        m.put("hostile-too-short.npy", new byte[] {(byte) 0x93, 'N', 'U'});
        m.put("hostile-bad-magic.npy", npyRaw(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4, "\u0093NUMPX"));
        m.put("hostile-version-9.npy", npyRaw(9, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4));
        m.put("hostile-header-beyond-file.npy", patchLength(npy(new long[] {2}, new float[] {1, 2}, DType.F32), 60000));
        m.put("hostile-v2-header-4GiB.npy", patchLength(npyRaw(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4), -1));
        m.put("hostile-fortran.npy", npyRaw(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16));
        m.put("hostile-big-endian.npy", npyRaw(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8));
        m.put("hostile-int32.npy", npyRaw(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", 8));
        m.put("hostile-object.npy", npyRaw(1, "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 16));
        m.put("hostile-negative-dim.npy", npyRaw(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2, -2), }", 16));
        m.put("hostile-shape-overflow.npy", npyRaw(1,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }", 16));
        m.put("hostile-huge-shape-small-file.npy", npyRaw(1,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000,), }", 16));
        m.put("hostile-dim-not-integer.npy", npyRaw(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", 8));
        m.put("hostile-dim-too-long.npy", npyRaw(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 8));
        m.put("hostile-extra-key.npy", npyRaw(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1, }", 4));
        m.put("hostile-missing-key.npy", npyRaw(1, "{'descr': '<f4', 'shape': (1,), }", 4));
        m.put("hostile-not-a-dict.npy", npyRaw(1, "['descr', '<f4']", 4));
        m.put("hostile-truncated.npy", npyRaw(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", 12));
        m.put("hostile-trailing.npy", npyRaw(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 5));
        m.put("hostile-nan.npy", nanNpy());
        m.put("hostile-kv-rank-1.npy", npyRaw(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 12));
        return m;
    }

    private static byte[] npy(long[] shape, float[] data, DType dtype) throws IOException {
        Path p = Files.createTempFile("seed", ".npy");
        try {
            Npy.write(p, shape, data, dtype, true);
            return Files.readAllBytes(p);
        } finally {
            Files.deleteIfExists(p);
        }
    }

    private static byte[] npyRaw(int major, String dict, int dataBytes) {
        return npyRaw(major, dict, dataBytes, "\u0093NUMPY");
    }

    /** An npy file as NumPy lays it out: magic, version, header length, the dict padded to 64 bytes, data. */
    private static byte[] npyRaw(int major, String dict, int dataBytes, String magic) {
        int pre = major == 1 ? 10 : 12;
        byte[] d = dict.getBytes(StandardCharsets.ISO_8859_1);
        int total = (pre + d.length + 1 + 63) / 64 * 64;
        ByteBuffer b = ByteBuffer.allocate(total + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(magic.getBytes(StandardCharsets.ISO_8859_1)).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) (total - pre));
        } else {
            b.putInt(total - pre);
        }
        b.put(d);
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) 0x3F); // 0x3F3F... is finite as f2 and f4
        }
        return b.array();
    }

    private static byte[] patchLength(byte[] npy, int length) {
        byte[] b = npy.clone();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (b[6] == 1) {
            bb.putShort(8, (short) length);
        } else {
            bb.putInt(8, length);
        }
        return b;
    }

    private static byte[] nanNpy() throws IOException {
        byte[] b = npy(new long[] {1, 1, 2, 2}, new float[] {1, 2, 3, 4}, DType.F32);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(b.length - 8, Float.POSITIVE_INFINITY);
        return b;
    }

    // ---------------------------------------------------------------- quantized-cache files

    /** Small configs covering every stored component: token- and channel-major blocks, zeros, fp8, stages, u16 ids, tail. */
    static Map<String, QuantizerConfig> quantizedConfigs() {
        Map<String, QuantizerConfig> m = new LinkedHashMap<>();
        BlockQuantConfig b16 = new BlockQuantConfig(2, 16, true, ScalePrecision.BF16);
        m.put("rtn", QuantizerConfig.builder().method("rtn").quant(b16).build());
        m.put("kivi", QuantizerConfig.builder().method("kivi").quant(b16).param("kivi_group_size", String.valueOf(8)).param("kivi_residual_tokens", String.valueOf(5)).build());
        m.put("sas-fp8-asym", QuantizerConfig.builder().method("sas").quant(new BlockQuantConfig(2, 8, false,
                ScalePrecision.FP8_E4M3)).clusters(4).maxIters(5).build());
        m.put("prq-2stages", QuantizerConfig.builder().method("prq").quant(b16).clusters(4).stages(2).maxIters(5).build());
        return m;
    }

    static Map<String, byte[]> quantized() throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        KvShape s = new KvShape(1, 2, 24, 16);
        for (Map.Entry<String, QuantizerConfig> e : quantizedConfigs().entrySet()) {
            QuantizedKv k = Quantize.run(e.getValue(), 1, Quantize.tensor(s, 11), KvRole.KEY);
            QuantizedKv v = Quantize.run(e.getValue(), 1, Quantize.tensor(s, 12), KvRole.VALUE);
            Map<String, QuantizedKv> entries = new LinkedHashMap<>();
            entries.put("k", k);
            entries.put("v", v);
            m.put("valid-" + e.getKey() + ".qvg.safetensors", quantizedFile(entries, e.getValue()));
        }
        // 300 clusters: ids stored as U16.
        QuantizerConfig wide = QuantizerConfig.builder().method("sas").quant(new BlockQuantConfig(2, 8, true,
                ScalePrecision.BF16)).clusters(300).maxIters(2).build();
        m.put("valid-sas-u16-ids.qvg.safetensors", quantizedFile(Map.of("k",
                Quantize.run(wide, 1, Quantize.tensor(new KvShape(1, 1, 320, 8), 13), KvRole.KEY)), wide));

        byte[] good = m.get("valid-rtn.qvg.safetensors");
        RawSafeTensors raw = RawSafeTensors.parse(good);
        m.put("hostile-data-bit-flip.qvg.safetensors", flipLastByte(good));
        RawSafeTensors meta = raw.copy();
        meta.metadata.put("k.method", "kivi");
        m.put("hostile-metadata-edited.qvg.safetensors", meta.encode());
        RawSafeTensors fmt = raw.copy();
        fmt.metadata.put("qvg.format", "something-else");
        m.put("hostile-wrong-format.qvg.safetensors", fmt.sign().encode());
        RawSafeTensors ver = raw.copy();
        ver.metadata.put("qvg.format_version", "2");
        m.put("hostile-future-version.qvg.safetensors", ver.sign().encode());
        m.put("hostile-plain-safetensors.qvg.safetensors", safeTensors().get("valid-kv-bf16.safetensors"));
        m.put("hostile-truncated.qvg.safetensors", Arrays.copyOf(good, good.length / 2));
        RawSafeTensors noCodes = raw.copy();
        noCodes.tensors.remove("k.codes");
        m.put("hostile-signed-without-codes.qvg.safetensors", noCodes.sign().encode());
        RawSafeTensors nullInfo = raw.copy();
        nullInfo.metadata.put("k.info", "{\"a\":null}");
        m.put("hostile-signed-null-info-value.qvg.safetensors", nullInfo.sign().encode());
        RawSafeTensors nullParams = raw.copy();
        nullParams.metadata.put("qvg.config.params", "{\"a\":null}");
        m.put("hostile-signed-null-param-value.qvg.safetensors", nullParams.sign().encode());
        RawSafeTensors badShape = raw.copy();
        badShape.metadata.put("k.shape", "1,2,x,16");
        m.put("hostile-signed-bad-shape.qvg.safetensors", badShape.sign().encode());
        RawSafeTensors idRange = RawSafeTensors.parse(m.get("valid-prq-2stages.qvg.safetensors"));
        Arrays.fill(idRange.tensors.get("k.stage0.ids").data, (byte) 200);
        m.put("hostile-signed-id-out-of-range.qvg.safetensors", idRange.sign().encode());
        return m;
    }

    private static byte[] flipLastByte(byte[] b) {
        byte[] c = b.clone();
        c[c.length - 1] ^= 0x10;
        return c;
    }

    private static byte[] quantizedFile(Map<String, QuantizedKv> entries, QuantizerConfig config) throws IOException {
        Path p = Files.createTempFile("seed", ".qvg.safetensors");
        try {
            QuantizedKvFile.write(p, entries, config, true);
            return Files.readAllBytes(p);
        } finally {
            Files.deleteIfExists(p);
        }
    }

    // ---------------------------------------------------------------- committed corpus

    /** Writes the corpus under {@code resources} (a {@code src/test/resources} directory), replacing generated seeds. */
    static void writeTo(Path resources) throws IOException {
        write(resources.resolve(SAFETENSORS_DIR), safeTensors());
        write(resources.resolve(NPY_DIR), npy());
        write(resources.resolve(QUANTIZED_DIR), quantized());
    }

    private static void write(Path dir, Map<String, byte[]> files) throws IOException {
        Files.createDirectories(dir);
        try (var old = Files.list(dir)) {
            for (Path p : old.filter(p -> !p.getFileName().toString().startsWith("crash-")).toList()) {
                Files.delete(p);
            }
        }
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
    }

    /** The committed files of {@code resourceDir}, by name, sorted. */
    static Map<String, byte[]> load(String resourceDir) {
        try {
            java.net.URL url = SeedCorpus.class.getClassLoader().getResource(resourceDir);
            if (url == null) {
                throw new IllegalStateException("seed corpus " + resourceDir + " missing from the test classpath");
            }
            Map<String, byte[]> m = new LinkedHashMap<>();
            try (var files = Files.list(Path.of(url.toURI()))) {
                for (Path p : files.sorted(Comparator.comparing(Path::toString)).toList()) {
                    m.put(p.getFileName().toString(), Files.readAllBytes(p));
                }
            }
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
