package dev.qvg.models.attention;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Java floats into ND4J matrices for the attention products. Callers close what they get as soon
 * as they are done: ND4J frees off-heap memory of unclosed arrays only after a garbage collection,
 * and its use then grows until ND4J forces full collections (measured: one attention head over
 * 65536 keys took 750 ms instead of 240 ms).
 */
public final class OffHeap {

    private OffHeap() {
    }

    /** {@code data[offset, offset + rows * cols)} as a C-order float matrix (one copy). */
    public static INDArray matrix(float[] data, int offset, int rows, int cols) {
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, rows, cols);
        a.data().asNioFloat().put(0, data, offset, rows * cols);
        return a;
    }

    /** All of a C-order float matrix's values into {@code out[offset]} onwards. */
    public static void copyOut(INDArray matrix, float[] out, int offset) {
        matrix.data().asNioFloat().get(0, out, offset, (int) matrix.length());
    }
}
