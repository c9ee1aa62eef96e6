package dev.qvg.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.PackedBlocks;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code quantizePack} and {@code unpackDequant}: the stored bytes for every bits x symmetry x
 * scale-precision combination equal {@link BlockCodec}'s bit for bit, on hand-computed golden
 * arrays, on every {@link Fixtures.Block} kind at the model head dims, and on random shapes
 * (odd row counts and block sizes, rows whose codes do not fill the last byte); dequantization
 * of any stored bits equals the reference exactly. Inputs must not be modified.
 */
public abstract class BaseBlockQuantTestCase extends BackendKitTestCase {

    /** Every combination the format defines, block size 16, as labelled arguments. */
    public static Stream<Named<BlockQuantConfig>> allConfigs() {
        List<Named<BlockQuantConfig>> l = new ArrayList<>();
        for (int bits : new int[]{2, 3, 4, 8}) {
            for (boolean sym : new boolean[]{true, false}) {
                for (ScalePrecision p : ScalePrecision.values()) {
                    BlockQuantConfig c = new BlockQuantConfig(bits, 16, sym, p);
                    l.add(Named.of(label(c), c));
                }
            }
        }
        return l.stream();
    }

    static String label(BlockQuantConfig c) {
        return "int" + c.bits() + (c.symmetric() ? "-sym-" : "-asym-")
                + c.scalePrecision().name().toLowerCase(Locale.ROOT) + "-b" + c.blockSize();
    }

    static Stream<Arguments> configsAndFixtures() {
        return allConfigs().flatMap(c -> Stream.of(Fixtures.Block.values()).map(k -> Arguments.of(c, k)));
    }

    static Stream<GoldenBlocks> goldens() {
        return GoldenBlocks.all().stream();
    }

    /** Skips (reported, not passed) combinations the backend declares it does not support. */
    protected final void assumeSupported(BlockQuantConfig c) {
        assumeTrue(c.scalePrecision() != ScalePrecision.FP8_E4M3 || spec().supportsFp8Scales(),
                "backend declares no FP8 scale support (supportsFp8Scales() is false)");
        assumeTrue(c.symmetric() || spec().supportsAsymmetric(),
                "backend declares no asymmetric support (supportsAsymmetric() is false)");
        assumeTrue(c.bits() != 3 || spec().supportsInt3(), "backend declares no 3-bit support (supportsInt3() is false)");
    }

    /** Quantizes on both backends, compares the stored bits and both dequantizations. */
    protected final void checkAgainstReference(float[] x, int rows, int cols, BlockQuantConfig c, String what) {
        float[] before = x.clone();
        PackedBlocks want = reference().quantizePack(x.clone(), rows, cols, c);
        PackedBlocks got = backend().quantizePack(x, rows, cols, c);
        Checks.assertSameFloats(before, x, cols, what + ": quantizePack modified its input");
        Checks.assertSameBlocks(want, got, what + " quantizePack");
        checkDequant(want, what);
    }

    /** {@code unpackDequant} of {@code blocks} on the backend equals BlockCodec's, every value written. */
    protected final void checkDequant(PackedBlocks blocks, String what) {
        int n = blocks.rows() * blocks.cols();
        float[] want = new float[n];
        BlockCodec.dequantize(blocks, want, 0);
        float[] got = new float[n];
        java.util.Arrays.fill(got, Float.NaN);
        byte[] codes = blocks.codes().clone();
        short[] scales = blocks.scales().clone();
        backend().unpackDequant(blocks, got);
        assertArrayEquals(codes, blocks.codes(), what + ": unpackDequant modified the codes");
        assertArrayEquals(scales, blocks.scales(), what + ": unpackDequant modified the scales");
        Checks.assertSameFloats(want, got, blocks.cols(), what + " unpackDequant");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void goldenBytes(GoldenBlocks g) {
        assumeSupported(g.config());
        PackedBlocks got = backend().quantizePack(g.x().clone(), g.rows(), g.cols(), g.config());
        byte[] codes = new byte[g.codes().length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) g.codes()[i];
        }
        short[] scales = toShorts(g.scales());
        short[] zeros = g.zeros() == null ? null : toShorts(g.zeros());
        Checks.assertSameBlocks(new PackedBlocks(g.rows(), g.cols(), g.config(), codes, scales, zeros), got,
                "golden " + g.name());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configsAndFixtures")
    void quantizePackFixturesAtModelHeadDims(BlockQuantConfig c, Fixtures.Block kind) {
        assumeSupported(c);
        Random r = random();
        for (int dim : Fixtures.HEAD_DIMS) {
            for (int block : new int[]{16, 64}) {
                BlockQuantConfig cb = c.withBlockSize(block);
                int rows = 37;
                checkAgainstReference(kind.make(r, rows, dim, cb), rows, dim, cb, kind + " [" + rows + ", " + dim + "] " + label(cb));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allConfigs")
    void quantizePackRandomShapes(BlockQuantConfig c) {
        assumeSupported(c);
        Random r = random();
        int[] blocks = {1, 2, 3, 4, 5, 7, 8, 16, 32, 64, 128};
        Fixtures.Block[] kinds = Fixtures.Block.values();
        for (int t = 0, n = scaled(24); t < n; t++) {
            int block = blocks[r.nextInt(blocks.length)];
            BlockQuantConfig cb = c.withBlockSize(block);
            int cols = block * (1 + r.nextInt(Math.max(1, 256 / block)));
            int rows = 1 + r.nextInt(scaled(40));
            Fixtures.Block kind = kinds[r.nextInt(kinds.length)];
            checkAgainstReference(kind.make(r, rows, cols, cb), rows, cols, cb,
                    "case " + t + ": " + kind + " [" + rows + ", " + cols + "] " + label(cb));
        }
    }

    /**
     * Dequantization is defined for every stored bit pattern, including codes the quantizer never
     * emits (symmetric {@code -qmax-1}) and padding bits: random bytes and random finite scales.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("allConfigs")
    void unpackDequantOfArbitraryStoredBits(BlockQuantConfig c) {
        assumeSupported(c);
        Random r = random();
        for (int t = 0, n = scaled(8); t < n; t++) {
            int rows = 1 + r.nextInt(40);
            int cols = c.blockSize() * (1 + r.nextInt(16));
            PackedBlocks p = PackedBlocks.allocate(rows, cols, c);
            r.nextBytes(p.codes());
            for (int i = 0; i < p.scales().length; i++) {
                p.scales()[i] = randomScaleBits(r, c.scalePrecision(), false);
                if (p.zeros() != null) {
                    p.zeros()[i] = randomScaleBits(r, c.scalePrecision(), true);
                }
            }
            checkDequant(p, "case " + t + ": random stored bits [" + rows + ", " + cols + "] " + label(c));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allConfigs")
    void dequantizedValuesEqualCodeTimesScale(BlockQuantConfig c) {
        assumeSupported(c);
        Random r = random();
        int rows = 5, cols = 64;
        float[] x = Fixtures.Block.GAUSSIAN.make(r, rows, cols, c);
        PackedBlocks p = backend().quantizePack(x, rows, cols, c);
        float[] got = new float[rows * cols];
        backend().unpackDequant(p, got);
        // Independent of BlockCodec's dequantizer: the format's formula applied to the stored bits.
        for (int row = 0; row < rows; row++) {
            for (int col = 0; col < cols; col++) {
                int b = row * p.blocksPerRow() + col / c.blockSize();
                float scale = c.scalePrecision().decode(p.scales()[b]);
                float v = p.code(row, col) * scale;
                if (!c.symmetric()) {
                    v = v + c.scalePrecision().decode(p.zeros()[b]);
                }
                assertEquals(Float.floatToIntBits(v), Float.floatToIntBits(got[row * cols + col]),
                        "value at row " + row + ", column " + col + ": want " + v + ", got " + got[row * cols + col]);
            }
        }
    }

    private static short[] toShorts(int[] v) {
        short[] s = new short[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = (short) v[i];
        }
        return s;
    }

    /** A finite stored scale: bf16 of magnitude 1e-6..1e6, or any FP8 pattern but NaN. */
    static short randomScaleBits(Random r, ScalePrecision p, boolean signed) {
        if (p == ScalePrecision.FP8_E4M3) {
            int b;
            do {
                b = r.nextInt(256);
            } while ((b & 0x7F) == 0x7F || (!signed && b >= 0x80));
            return (short) b;
        }
        float m = (float) Math.pow(10, -6 + 12 * r.nextDouble());
        return p.encode(signed && r.nextBoolean() ? -m : m);
    }
}
