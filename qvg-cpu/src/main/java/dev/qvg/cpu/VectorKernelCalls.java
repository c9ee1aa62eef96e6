package dev.qvg.cpu;

import dev.qvg.api.quant.PackedBlocks;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Calls into {@link VectorBlockKernels} that the JIT compiles on their own and never inlines
 * into a caller.
 *
 * <p>Why: the Vector API becomes vector instructions only when each operation's chain of
 * force-inlined library methods is inlined completely. Inlined into a deep caller (a benchmark
 * harness, a cache read through the worker pool), a kernel reaches the JIT's inlining depth
 * limit half way down those chains, and every vector becomes a heap object: measured, a 1 ms
 * dequantization turned into 9 to 40 ms with 100 MB of garbage per call once the caller was
 * recompiled. A method handle read from a non-final field is not a constant, so the JIT
 * cannot inline through it; the kernel stays the root of its own compilation, at a cost of one
 * indirect call per row range.
 */
final class VectorKernelCalls {

    private static final MethodType ROWS_QUANTIZE = MethodType.methodType(void.class, float[].class, PackedBlocks.class, int.class, int.class);
    private static final MethodType ROWS_DEQUANTIZE = MethodType.methodType(void.class, PackedBlocks.class, float[].class, int.class, int.class);
    private static final MethodType ROWS_DECODE = MethodType.methodType(void.class, PackedBlocks.class, float[].class, int.class, int.class,
            int.class, int[][].class, float[][].class, int[].class, int.class, int.class);

    private static final MethodType ROWS_ASSIGN = MethodType.methodType(int.class, float[].class, int.class,
            CentroidPanels.class, float[].class, int.class, int.class, int.class, int[].class, float[].class,
            float[].class, int.class);
    private static final MethodType ROW_NORMS = MethodType.methodType(void.class, float[].class, int.class, int.class,
            int.class, float[].class, int.class);

    private static final MethodType SLICE_MEANS = MethodType.methodType(void.class, float[].class, int[].class,
            int.class, int.class, int.class, int.class, float[].class, double[].class, int[].class, int.class, int.class);

    // Deliberately not final: see the class comment.
    private static MethodHandle quantizeRows = find("quantizeRows", ROWS_QUANTIZE);
    private static MethodHandle dequantizeRows = find("dequantizeRows", ROWS_DEQUANTIZE);
    private static MethodHandle decodeRows = find("decodeRows", ROWS_DECODE);
    private static MethodHandle assignRows = find(VectorAssign.class, "assignRows", ROWS_ASSIGN);
    private static MethodHandle rowNorms = find(VectorAssign.class, "rowNorms", ROW_NORMS);
    private static MethodHandle sliceMeans = find(VectorCentroidMeans.class, "update", SLICE_MEANS);

    private VectorKernelCalls() {
    }

    static void quantizeRows(float[] x, PackedBlocks out, int from, int to) {
        try {
            quantizeRows.invokeExact(x, out, from, to);
        } catch (Throwable t) {
            throw unchecked(t, "quantize");
        }
    }

    static void dequantizeRows(PackedBlocks p, float[] out, int from, int to) {
        try {
            dequantizeRows.invokeExact(p, out, from, to);
        } catch (Throwable t) {
            throw unchecked(t, "dequantize");
        }
    }

    static void decodeRows(PackedBlocks p, float[] out, int from, int to,
                           int tokens, int[][] ids, float[][] centroids, int[] clusters, int outOffset, int sliceStride) {
        try {
            decodeRows.invokeExact(p, out, from, to, tokens, ids, centroids, clusters, outOffset, sliceStride);
        } catch (Throwable t) {
            throw unchecked(t, "decode");
        }
    }

    /** {@link VectorAssign#assignRows}: returns how many ids changed. */
    static int assignRows(float[] points, int dim, CentroidPanels panels, float[] centroids, int cBase, int from, int to,
                          int[] ids, float[] scratch, float[] rowNorms, int normsBase) {
        try {
            return (int) assignRows.invokeExact(points, dim, panels, centroids, cBase, from, to, ids, scratch, rowNorms,
                    normsBase);
        } catch (Throwable t) {
            throw unchecked(t, "assign");
        }
    }

    /** {@link VectorAssign#rowNorms}. */
    static void rowNorms(float[] points, int dim, int from, int to, float[] out, int outAt) {
        try {
            rowNorms.invokeExact(points, dim, from, to, out, outAt);
        } catch (Throwable t) {
            throw unchecked(t, "row norms");
        }
    }

    /** {@link VectorCentroidMeans#update}. */
    static void sliceMeans(float[] points, int[] ids, int slice, int S, int D, int K, float[] centroids, double[] sum,
                           int[] count, int d0, int d1) {
        try {
            sliceMeans.invokeExact(points, ids, slice, S, D, K, centroids, sum, count, d0, d1);
        } catch (Throwable t) {
            throw unchecked(t, "centroid update");
        }
    }

    /** The kernels throw only unchecked exceptions; anything else is a bug worth naming. */
    private static RuntimeException unchecked(Throwable t, String kernel) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("vector " + kernel + " kernel failed", t);
    }

    private static MethodHandle find(String name, MethodType type) {
        return find(VectorBlockKernels.class, name, type);
    }

    private static MethodHandle find(Class<?> owner, String name, MethodType type) {
        try {
            return MethodHandles.lookup().findStatic(owner, name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
