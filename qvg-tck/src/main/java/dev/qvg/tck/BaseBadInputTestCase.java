package dev.qvg.tck;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.BlockCodec;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.tensor.SliceBatch;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/**
 * The bad-input contract (Backend contract, item 2): every bad call throws the same exception
 * type as {@link dev.qvg.api.reference.ReferenceBackend} (a subclass is accepted), with a message
 * that names the offending parameter as a word; where the reference writes nothing before
 * failing, the backend must not either. And item 4: a closed backend refuses work with
 * {@link IllegalStateException}.
 */
public abstract class BaseBadInputTestCase extends BackendKitTestCase {

    private static final SliceBatch B = new SliceBatch(2, 5, 8);
    private static final int K = 3;

    private static float[] f(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (i % 7) - 3f;
        }
        return a;
    }

    private static int[] ids(int n, int bad, int at) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i % K;
        }
        if (at >= 0) {
            a[at] = bad;
        }
        return a;
    }

    private static BadInput bad(String description, String parameter, java.util.function.Supplier<BadInput.Attempt> a) {
        return new BadInput(description, parameter, a);
    }

    /** The catalogue; each entry allocates fresh arrays per attempt. */
    public static Stream<BadInput> badInputs() {
        int P = B.numel(), C = B.slices() * K * B.dim(), R = B.rows();
        BlockQuantConfig q = new BlockQuantConfig(2, 4, true, ScalePrecision.BF16);
        return Stream.of(
                // assign
                bad("assign: points too short", "points", () -> {
                    float[] p = f(P - 1), c = f(C); int[] id = ids(R, 0, -1), ch = new int[2];
                    return new BadInput.Attempt(b -> b.assign(B, p, c, K, id, ch, null), p, c, id, ch);
                }),
                bad("assign: points null", "points", () -> {
                    float[] c = f(C); int[] id = ids(R, 0, -1), ch = new int[2];
                    return new BadInput.Attempt(b -> b.assign(B, null, c, K, id, ch, null), c, id, ch);
                }),
                bad("assign: centroids of the wrong size", "centroids", () -> {
                    float[] p = f(P), c = f(C + 8); int[] id = ids(R, 0, -1), ch = new int[2];
                    return new BadInput.Attempt(b -> b.assign(B, p, c, K, id, ch, null), p, c, id, ch);
                }),
                bad("assign: zero clusters", "clusters", () -> {
                    float[] p = f(P), c = f(0); int[] id = ids(R, 0, -1), ch = new int[2];
                    return new BadInput.Attempt(b -> b.assign(B, p, c, 0, id, ch, null), p, c, id, ch);
                }),
                bad("assign: ids too long", "ids", () -> {
                    float[] p = f(P), c = f(C); int[] id = ids(R + 1, 0, -1), ch = new int[2];
                    return new BadInput.Attempt(b -> b.assign(B, p, c, K, id, ch, null), p, c, id, ch);
                }),
                bad("assign: changed of the wrong length", "changed", () -> {
                    float[] p = f(P), c = f(C); int[] id = ids(R, 0, -1), ch = new int[3];
                    return new BadInput.Attempt(b -> b.assign(B, p, c, K, id, ch, null), p, c, id, ch);
                }),
                bad("assign: changed null", "changed", () -> {
                    float[] p = f(P), c = f(C); int[] id = ids(R, 0, -1);
                    return new BadInput.Attempt(b -> b.assign(B, p, c, K, id, null, null), p, c, id);
                }),
                bad("assign: active of the wrong length", "active", () -> {
                    float[] p = f(P), c = f(C); int[] id = ids(R, 0, -1), ch = new int[2]; boolean[] a = new boolean[1];
                    return new BadInput.Attempt(b -> b.assign(B, p, c, K, id, ch, a), p, c, id, ch, a);
                }),
                // updateCentroids
                bad("updateCentroids: an id beyond clusters in the last row", "ids", () -> {
                    float[] p = f(P), c = f(C); int[] id = ids(R, K, R - 1);
                    return new BadInput.Attempt(b -> b.updateCentroids(B, p, id, K, c, null), p, c, id);
                }),
                bad("updateCentroids: a negative id", "ids", () -> {
                    float[] p = f(P), c = f(C); int[] id = ids(R, -1, 3);
                    return new BadInput.Attempt(b -> b.updateCentroids(B, p, id, K, c, null), p, c, id);
                }),
                bad("updateCentroids: points too long", "points", () -> {
                    float[] p = f(P + 8), c = f(C); int[] id = ids(R, 0, -1);
                    return new BadInput.Attempt(b -> b.updateCentroids(B, p, id, K, c, null), p, c, id);
                }),
                bad("updateCentroids: centroids too short", "centroids", () -> {
                    float[] p = f(P), c = f(C - 1); int[] id = ids(R, 0, -1);
                    return new BadInput.Attempt(b -> b.updateCentroids(B, p, id, K, c, null), p, c, id);
                }),
                bad("updateCentroids: active of the wrong length", "active", () -> {
                    float[] p = f(P), c = f(C); int[] id = ids(R, 0, -1); boolean[] a = new boolean[3];
                    return new BadInput.Attempt(b -> b.updateCentroids(B, p, id, K, c, a), p, c, id, a);
                }),
                // subtract / accumulate
                bad("subtractCentroids: an id beyond clusters in the last row", "ids", () -> {
                    float[] p = f(P), c = f(C); int[] id = ids(R, K, R - 1);
                    return new BadInput.Attempt(b -> b.subtractCentroids(B, p, id, c, K), p, c, id);
                }),
                bad("subtractCentroids: points too short", "points", () -> {
                    float[] p = f(P - 8), c = f(C); int[] id = ids(R, 0, -1);
                    return new BadInput.Attempt(b -> b.subtractCentroids(B, p, id, c, K), p, c, id);
                }),
                bad("subtractCentroids: ids too short", "ids", () -> {
                    float[] p = f(P), c = f(C); int[] id = ids(R - 1, 0, -1);
                    return new BadInput.Attempt(b -> b.subtractCentroids(B, p, id, c, K), p, c, id);
                }),
                bad("accumulateCentroids: a negative id in the last row", "ids", () -> {
                    float[] o = f(P), c = f(C); int[] id = ids(R, -2, R - 1);
                    return new BadInput.Attempt(b -> b.accumulateCentroids(B, o, id, c, K), o, c, id);
                }),
                bad("accumulateCentroids: out too long", "out", () -> {
                    float[] o = f(P + 1), c = f(C); int[] id = ids(R, 0, -1);
                    return new BadInput.Attempt(b -> b.accumulateCentroids(B, o, id, c, K), o, c, id);
                }),
                bad("accumulateCentroids: centroids for another cluster count", "centroids", () -> {
                    float[] o = f(P), c = f(C); int[] id = ids(R, 0, -1);
                    return new BadInput.Attempt(b -> b.accumulateCentroids(B, o, id, c, K + 1), o, c, id);
                }),
                // quantizePack
                bad("quantizePack: null config", "config", () -> {
                    float[] x = f(32);
                    return new BadInput.Attempt(b -> b.quantizePack(x, 4, 8, null), x);
                }),
                bad("quantizePack: zero rows", "rows", () -> {
                    float[] x = f(32);
                    return new BadInput.Attempt(b -> b.quantizePack(x, 0, 8, q), x);
                }),
                bad("quantizePack: negative cols", "cols", () -> {
                    float[] x = f(32);
                    return new BadInput.Attempt(b -> b.quantizePack(x, 4, -8, q), x);
                }),
                bad("quantizePack: cols not a multiple of the block size", "blockSize", () -> {
                    float[] x = f(30);
                    return new BadInput.Attempt(b -> b.quantizePack(x, 5, 6, q), x);
                }),
                bad("quantizePack: x too short", "x", () -> {
                    float[] x = f(31);
                    return new BadInput.Attempt(b -> b.quantizePack(x, 4, 8, q), x);
                }),
                bad("quantizePack: x null", "x", () -> new BadInput.Attempt(b -> b.quantizePack(null, 4, 8, q))),
                // unpackDequant / decode
                bad("unpackDequant: null blocks", "blocks", () -> {
                    float[] o = f(32);
                    return new BadInput.Attempt(b -> b.unpackDequant(null, o), o);
                }),
                bad("unpackDequant: out too short", "out", () -> {
                    float[] o = f(31);
                    PackedBlocks p = BlockCodec.quantize(f(32), 0, 4, 8, q);
                    return new BadInput.Attempt(b -> b.unpackDequant(p, o), o);
                }),
                bad("unpackDequant: out null", "out", () -> {
                    PackedBlocks p = BlockCodec.quantize(f(32), 0, 4, 8, q);
                    return new BadInput.Attempt(b -> b.unpackDequant(p, null));
                }),
                bad("decode: out too short", "out", () -> {
                    float[] o = f(P - 1);
                    PackedBlocks p = BlockCodec.quantize(f(P), 0, R, B.dim(), q);
                    return new BadInput.Attempt(b -> b.decode(B, p, List.of(), o), o);
                }),
                bad("decode: a stage with ids for another token count", "ids", () -> {
                    float[] o = f(P);
                    PackedBlocks p = BlockCodec.quantize(f(P), 0, R, B.dim(), q);
                    ClusterStage st = ClusterStage.ofFloatCentroids(2, 4, 8, K, f(C), ids(8, 0, -1), new int[2]);
                    return new BadInput.Attempt(b -> b.decode(B, p, List.of(st), o), o);
                }));
    }

    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_]+");

    private static boolean namesParameter(Throwable t, String parameter) {
        String m = t.getMessage();
        if (m == null) {
            return false;
        }
        var matcher = WORD.matcher(m);
        while (matcher.find()) {
            if (matcher.group().equals(parameter)) {
                return true;
            }
        }
        return false;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputIsRefusedLikeTheReference(BadInput input) {
        BadInput.Attempt ref = input.attempt().get();
        List<Object> refBefore = ref.snapshot();
        Throwable want = ref.run(reference());
        if (want == null || !namesParameter(want, input.parameter())) {
            throw new AssertionFailedError("kit defect: the reference " + (want == null ? "accepted" : "threw '"
                    + want.getMessage() + "' for") + " '" + input + "'; please report it");
        }
        boolean refAtomic = ref.changedSince(refBefore).isEmpty();

        BadInput.Attempt att = input.attempt().get();
        List<Object> before = att.snapshot();
        Throwable got = att.run(backend());
        if (got == null) {
            throw new AssertionFailedError(input + ": the backend accepted it; expected " + want.getClass().getName()
                    + " naming '" + input.parameter() + "'");
        }
        if (!want.getClass().isInstance(got)) {
            AssertionFailedError e = new AssertionFailedError(input + ": expected " + want.getClass().getName()
                    + " (as the reference: '" + want.getMessage() + "'), got " + got.getClass().getName() + ": "
                    + got.getMessage(), got);
            throw e;
        }
        if (!namesParameter(got, input.parameter())) {
            throw new AssertionFailedError(input + ": the message must name the parameter '" + input.parameter()
                    + "', got: " + got.getMessage());
        }
        List<Integer> changed = att.changedSince(before);
        if (refAtomic && !changed.isEmpty()) {
            throw new AssertionFailedError(input + ": argument(s) " + changed + " were written before the call failed;"
                    + " checks must run before anything is written");
        }
    }

    @Test
    void closedBackendRefusesWork() {
        assumeTrue(spec().checksUseAfterClose(), "checksUseAfterClose() is false: the backend holds no resources");
        Backend b = spec().newBackend();
        b.close();
        b.close(); // idempotent
        float[] x = f(32);
        BlockQuantConfig q = BlockQuantConfig.publishedInt2().withBlockSize(8);
        assertThrows(IllegalStateException.class, () -> b.quantizePack(x, 4, 8, q), "quantizePack after close()");
        float[] out = new float[32];
        PackedBlocks p = BlockCodec.quantize(x, 0, 4, 8, q);
        assertThrows(IllegalStateException.class, () -> b.unpackDequant(p, out), "unpackDequant after close()");
        assertThrows(IllegalStateException.class,
                () -> b.assign(B, f(B.numel()), f(B.slices() * K * B.dim()), K, new int[B.rows()], new int[2], null),
                "assign after close()");
    }
}
