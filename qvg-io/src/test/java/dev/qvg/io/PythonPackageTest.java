package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.testing.Claims;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python package {@code qvg-read} ({@code python/}) as a user gets it: installed by pip with
 * no network ({@code --no-index}; its build backend is in the source tree and needs only the
 * standard library), then used from outside the source tree: the {@code qvg-read} command and its
 * {@code --help}, {@code load()} bit-identical to Java under the tensors' own names, bfloat16 as
 * exact float32 or bit patterns, {@code to_torch()} (with PyTorch where installed, else its
 * one-line refusal), names that never become paths. The Python is {@code -Dqvg.python=PATH}, else
 * {@code /usr/bin/python3}, else {@code python3}; it needs numpy and pip. Like every claim-backing
 * test, it skips saying why where they are missing and fails in CI, naming them ({@code .ci/run}
 * installs python3-numpy and python3-pip).
 */
class PythonPackageTest {

    /** {@link Claims#python()}. */
    private static final String PYTHON = Claims.python();

    /** The package's source: qvg-io/python (Maven runs tests in the module's folder). */
    private static final Path SOURCE = Path.of("python").toAbsolutePath();

    @TempDir
    static Path shared;

    /** Where pip installed the package (a --target folder: module, dist-info, bin/qvg-read). */
    private static Path site;

    @TempDir
    Path dir;

    record Result(int exit, String out) {
    }

    /** Runs {@code cmd} in {@code cwd} with only the installed package on the Python path. */
    private static Result run(Path cwd, List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1"); // leave no __pycache__ in the source tree
        pb.environment().remove("PYTHONHOME");
        if (site != null) {
            pb.environment().put("PYTHONPATH", site.toString());
        } else {
            pb.environment().remove("PYTHONPATH");
        }
        pb.environment().put("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(127, e.getMessage());
        }
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Runs a Python script (argv after it) from {@code cwd}; fails the test on a non-zero exit. */
    private static String script(Path cwd, String code, Object... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", code));
        for (Object a : args) {
            cmd.add(a.toString());
        }
        Result r = run(cwd, cmd);
        assertEquals(0, r.exit(), r.out());
        return r.out();
    }

    private static Set<String> sourceFiles() throws IOException {
        try (Stream<Path> s = Files.walk(SOURCE)) {
            return s.map(p -> SOURCE.relativize(p).toString()).collect(Collectors.toSet());
        }
    }

    @BeforeAll
    static void installWithoutNetwork() throws Exception {
        site = null;
        Result numpy = run(shared, List.of(PYTHON, "-c", "import numpy"));
        Claims.require(numpy.exit() == 0, "a Python with numpy at '" + PYTHON + "' ("
                + numpy.out().strip().lines().reduce((a, b) -> b).orElse("") + ")",
                "apt-get install python3-numpy, or -Dqvg.python=PATH");
        Result pip = run(shared, List.of(PYTHON, "-m", "pip", "--version"));
        Claims.require(pip.exit() == 0, "pip for '" + PYTHON + "' ("
                + pip.out().strip().lines().reduce((a, b) -> b).orElse("") + ")", "apt-get install python3-pip");
        Set<String> before = sourceFiles();
        Path target = shared.resolve("site");
        // --no-index: nothing may come from the network; --no-deps: numpy is the system's (--target ignores it)
        Result install = run(shared, List.of(PYTHON, "-m", "pip", "install", "--no-index", "--no-deps", "--no-cache-dir",
                "--target", target.toString(), SOURCE.toString()));
        assertEquals(0, install.exit(), install.out());
        assertEquals(before, sourceFiles(), "building the package left files in the source tree");
        site = target;
    }

    @Test
    void installedCommandHasHelpVersionAndOneLineErrors() throws Exception {
        Path cmd = site.resolve("bin").resolve("qvg-read");
        assertTrue(Files.isExecutable(cmd), "pip made no qvg-read command");
        Result help = run(dir, List.of(cmd.toString(), "--help"));
        assertEquals(0, help.exit(), help.out());
        assertTrue(help.out().startsWith("usage: qvg-read [-h] [--npy DIR] [--force] [--version] FILE"), help.out());
        assertTrue(help.out().contains("qvg_read.load(path)"), help.out());
        Result version = run(dir, List.of(cmd.toString(), "--version"));
        assertEquals("qvg-read 0.1.0", version.out().strip());

        Result noFile = run(dir, List.of(cmd.toString()));
        assertEquals(2, noFile.exit(), noFile.out());
        assertTrue(noFile.out().contains("qvg-read: error: the following arguments are required: FILE"), noFile.out());
        Result missing = run(dir, List.of(cmd.toString(), "nope.qvg.safetensors"));
        assertEquals(1, missing.exit(), missing.out());
        assertEquals("qvg-read: No such file or directory: nope.qvg.safetensors", missing.out().strip());
        Path junk = Files.writeString(dir.resolve("junk.safetensors"), "not a safetensors file at all");
        Result bad = run(dir, List.of(cmd.toString(), junk.toString()));
        assertEquals(1, bad.exit(), bad.out());
        assertEquals(1, bad.out().strip().lines().count(), bad.out());
        assertTrue(bad.out().startsWith("qvg-read: " + junk + ": header length"), bad.out());

        // the module imported is the installed one, which declares its one dependency
        String where = script(dir, "import qvg_read; print(qvg_read.__file__)");
        assertTrue(where.strip().startsWith(site.toString()), where);
        try (Stream<Path> s = Files.list(site)) {
            Path info = s.filter(p -> p.getFileName().toString().endsWith(".dist-info")).findFirst().orElseThrow();
            String meta = Files.readString(info.resolve("METADATA"));
            assertTrue(meta.contains("Name: qvg-read") && meta.contains("Requires-Dist: numpy>=1.17"), meta);
        }
    }

    /** Three entries with names that are not keys, of three different encodings. */
    private Map<String, QuantizedKv> entries() {
        Map<String, QuantizedKv> e = new LinkedHashMap<>();
        e.put("layers.0.k", QuantizedKvFileTest.sample(new KvShape(2, 2, 40, 16),
                new BlockQuantConfig(2, 16, true, ScalePrecision.BF16), Orientation.TOKEN_MAJOR, 2, 8, 8, 1));
        e.put("layers.0.v", QuantizedKvFileTest.sample(new KvShape(1, 2, 40, 16),
                new BlockQuantConfig(3, 16, false, ScalePrecision.FP8_E4M3), Orientation.CHANNEL_MAJOR, 0, 1, 8, 2));
        e.put("../../escape", QuantizedKvFileTest.sample(new KvShape(1, 3, 24, 8),
                new BlockQuantConfig(4, 8, false, ScalePrecision.BF16), Orientation.TOKEN_MAJOR, 1, 300, 0, 3));
        return e;
    }

    @Test
    void loadDecodesBitIdenticallyToJavaUnderTheTensorsOwnNames() throws Exception {
        Map<String, QuantizedKv> entries = entries();
        Path q = dir.resolve("kv.qvg.safetensors");
        QuantizedKvFile.write(q, entries, null, false);
        List<String> refs = new ArrayList<>();
        for (Map.Entry<String, QuantizedKv> e : entries.entrySet()) {
            KvTensor d = ReferenceDecoder.decode(e.getValue());
            Path ref = dir.resolve("ref" + refs.size() + ".npy");
            KvShape s = d.shape();
            Npy.write(ref, new long[] {s.batch(), s.heads(), s.tokens(), s.headDim()}, d.data(), DType.F32, false);
            refs.add(ref.toString());
        }
        String out = script(dir, """
                import sys, numpy as np, qvg_read
                path, refs = sys.argv[1], sys.argv[2:]
                d = qvg_read.load(path)
                print(list(d))
                for (name, a), r in zip(d.items(), refs):
                    ref = np.load(r)
                    same = a.dtype == np.float32 and a.shape == ref.shape and np.array_equal(a.view(np.uint32), ref.view(np.uint32))
                    print(name, 'same' if same else 'DIFFERENT')
                old, meta = qvg_read.read(path)   # the older entry point gives the same
                print('read', all(np.array_equal(old[n].view(np.uint32), d[n].view(np.uint32)) for n in d))
                print(sorted(k for k in qvg_read.metadata(path) if k.endswith('.name')))
                """, Stream.concat(Stream.of(q.toString()), refs.stream()).toArray());
        assertTrue(out.contains("['layers.0.k', 'layers.0.v', '../../escape']"), out);
        assertTrue(out.contains("layers.0.k same\nlayers.0.v same\n../../escape same\nread True"), out);
        assertTrue(out.contains("['______escape.name', 'layers_0_k.name', 'layers_0_v.name']"), out);
    }

    @Test
    void bfloat16IsExactFloat32OrItsBitsAndRoundsAsJavaDoes() throws Exception {
        // decoded values written by Java as bf16 (round to nearest even) in a plain safetensors file
        QuantizedKv q = entries().get("layers.0.k");
        Path qf = dir.resolve("k.qvg.safetensors");
        QuantizedKvFile.write(qf, Map.of("layers.0.k", q), null, false);
        Path plain = dir.resolve("k-bf16.safetensors");
        KvFiles.write(plain, Map.of("layers.0.k", ReferenceDecoder.decode(q)), DType.BF16, Layout.BHSD, false);
        KvTensor javaRead = KvFiles.read(plain, "layers.0.k", Layout.BHSD);
        Path javaValues = dir.resolve("java-values.npy");
        KvShape s = javaRead.shape();
        Npy.write(javaValues, new long[] {s.batch(), s.heads(), s.tokens(), s.headDim()}, javaRead.data(), DType.F32, false);
        // rounding on edge cases: ties both ways, the largest finite value (to infinity), subnormals, -0
        float[] edge = {1f + 0x1p-8f, 1f + 0x3p-8f, -(1f + 0x1p-8f), 0x1.fffffep127f, -0x1.fffffep127f, Float.MIN_VALUE,
            0x1p-130f, -0f, 0f, 3.14159265f, 1e-3f, 65504f, 0x1.ff8p0f, 0x1.ff7ffep0f};
        float[] expected = new float[edge.length];
        for (int i = 0; i < edge.length; i++) {
            expected[i] = Bf16.fromFloat(edge[i]) & 0xFFFF; // the bit pattern as a number (exact below 2^24)
        }
        Path edges = dir.resolve("edge.npy");
        Path edgeBits = dir.resolve("edge-bits.npy");
        Npy.write(edges, new long[] {edge.length}, edge, DType.F32, false);
        Npy.write(edgeBits, new long[] {edge.length}, expected, DType.F32, false);
        String out = script(dir, """
                import sys, numpy as np, qvg_read
                qf, plain, java_values, edges, edge_bits = sys.argv[1:]
                as_f32 = qvg_read.load(plain)['layers.0.k']
                as_bits = qvg_read.load(plain, bf16='uint16')['layers.0.k']
                print('f32', as_f32.dtype, np.array_equal(as_f32.view(np.uint32), np.load(java_values).view(np.uint32)))
                print('bits', as_bits.dtype, np.array_equal(as_bits, qvg_read.float32_to_bf16_bits(qvg_read.load(qf)['layers.0.k'])))
                print('edges', np.array_equal(qvg_read.float32_to_bf16_bits(np.load(edges)), np.load(edge_bits).astype(np.uint16)))
                nan = qvg_read.float32_to_bf16_bits(np.array([np.nan, -np.nan, np.inf, -np.inf], dtype=np.float32))
                print('special', [hex(int(v)) for v in nan])
                try:
                    qvg_read.load(plain, bf16='bfloat16')
                except ValueError as e:
                    print('refused', e)
                """, qf, plain, javaValues, edges, edgeBits);
        assertTrue(out.contains("f32 float32 True"), out);
        assertTrue(out.contains("bits uint16 True"), out);
        assertTrue(out.contains("edges True"), out);
        assertTrue(out.contains("special ['0x7fc0', '0xffc0', '0x7f80', '0xff80']"), out);
        assertTrue(out.contains("refused bf16='bfloat16': expected 'float32' (exact values) or 'uint16' (bit patterns)"), out);
    }

    @Test
    void toTorchGivesBfloat16WithTheBitsJavaWritesOrSaysTorchIsMissing() throws Exception {
        QuantizedKv q = entries().get("layers.0.k");
        Path qf = dir.resolve("k.qvg.safetensors");
        QuantizedKvFile.write(qf, Map.of("layers.0.k", q), null, false);
        Path plain = dir.resolve("k-bf16.safetensors");
        KvFiles.write(plain, Map.of("layers.0.k", ReferenceDecoder.decode(q)), DType.BF16, Layout.BHSD, false);
        String out = script(dir, """
                import sys, numpy as np, qvg_read
                qf, plain = sys.argv[1:]
                try:
                    import torch
                except ImportError:
                    try:
                        qvg_read.to_torch(qf)
                        print('NO ERROR')
                    except ImportError as e:
                        print('no torch:', e)
                    sys.exit(0)
                java_bits = qvg_read.load(plain, bf16='uint16')['layers.0.k']
                t = qvg_read.to_torch(qf)['layers.0.k']
                print('dtype', t.dtype)
                print('bits', np.array_equal(t.view(torch.int16).numpy().view(np.uint16), java_bits))
                f = qvg_read.to_torch(qf, dtype='float32')['layers.0.k']
                print('f32', f.dtype, np.array_equal(f.numpy().view(np.uint32), qvg_read.load(qf)['layers.0.k'].view(np.uint32)))
                print('torch rounds alike', torch.equal(f.to(torch.bfloat16).view(torch.int16), t.view(torch.int16)))
                p = qvg_read.to_torch(plain, dtype=None)['layers.0.k']
                print('plain', p.dtype, np.array_equal(p.view(torch.int16).numpy().view(np.uint16), java_bits))
                """, qf, plain);
        if (out.startsWith("no torch:")) {
            assertEquals("no torch: qvg_read.to_torch needs PyTorch (pip install torch); without it, qvg_read.load() gives"
                    + " numpy arrays (bfloat16 as exact float32)", out.strip());
            System.out.println("PythonPackageTest: PyTorch is not installed for " + PYTHON + "; to_torch's refusal was"
                    + " checked, its tensors were not");
            // the README's claim (torch.bfloat16, Java's bits) must have run in CI, where .ci/run installs it
            dev.qvg.testing.Claims.require(!dev.qvg.testing.Claims.inCi(), "PyTorch for " + PYTHON,
                    "to_torch's tensors are a claim: .ci/run installs Debian's python3-torch");
        } else {
            assertTrue(out.contains("dtype torch.bfloat16\nbits True\nf32 torch.float32 True\ntorch rounds alike True\n"
                    + "plain torch.bfloat16 True"), out);
        }
    }

    @Test
    void namesNeverBecomePathsAndFilesAreKeptUnlessForced() throws Exception {
        Path q = dir.resolve("kv.qvg.safetensors");
        QuantizedKvFile.write(q, entries(), null, false);
        Path cmd = site.resolve("bin").resolve("qvg-read");
        Path out = dir.resolve("deep").resolve("out");
        Result r = run(dir, List.of(cmd.toString(), q.toString(), "--npy", out.toString()));
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("  ../../escape: shape [1, 3, 24, 8] method prq role key bits/value"), r.out());
        try (Stream<Path> s = Files.walk(dir)) {
            assertEquals(Set.of("kv.qvg.safetensors", "deep", "out", "layers_0_k.npy", "layers_0_v.npy", "______escape.npy"),
                    s.filter(p -> !p.equals(dir)).map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
        Result again = run(dir, List.of(cmd.toString(), q.toString(), "--npy", out.toString()));
        assertEquals(1, again.exit(), again.out());
        assertTrue(again.out().contains("layers_0_k.npy already exists; pass --force to overwrite it"), again.out());
        assertEquals(0, run(dir, List.of(cmd.toString(), q.toString(), "--npy", out.toString(), "--force")).exit());

        // signed files with a key that is a path or a name that is not printable: refused, nothing written
        Path pathKey = EntryNamesTest.forged(dir, m -> m.put("qvg.entries", "../x,v"), Map.of("layers_0_k", "../x"));
        Result refused = run(dir, List.of(cmd.toString(), pathKey.toString(), "--npy", dir.resolve("never").toString()));
        assertEquals(1, refused.exit(), refused.out());
        assertTrue(refused.out().contains("entry key \"../x\" must be 1-64 of [A-Za-z0-9_]"), refused.out());
        Path newline = EntryNamesTest.forged(dir, m -> m.put("layers_0_k.name", "a\nb"), Map.of());
        Result nl = run(dir, List.of(cmd.toString(), newline.toString()));
        assertEquals(1, nl.exit(), nl.out());
        assertEquals(1, nl.out().strip().lines().count(), nl.out());
        assertTrue(nl.out().contains("entry name \"a\\nb\" is not allowed"), nl.out());
        assertTrue(Files.notExists(dir.resolve("never")));
    }

    @Test
    void anEntryOnlyItsMethodDecodesIsRefusedOnOneLineNamingIt() throws Exception {
        QuantizedKv q = entries().get("layers.0.k");
        QuantizedKv rotated = q.withMethod("rtn-hadamard", Map.of(QuantizedKv.INFO_METHOD_DECODE, "true"));
        Path f = dir.resolve("rotated.qvg.safetensors");
        QuantizedKvFile.write(f, Map.of("layers.0.k", rotated), null, false);
        Result r = run(dir, List.of(site.resolve("bin").resolve("qvg-read").toString(), f.toString()));
        assertEquals(1, r.exit(), r.out());
        assertEquals("qvg-read: " + f + ": entry layers.0.k: method 'rtn-hadamard' stores transformed values that only"
                + " that method decodes: decompress it with qvg and the method's jar on the class path", r.out().strip());
    }
}
