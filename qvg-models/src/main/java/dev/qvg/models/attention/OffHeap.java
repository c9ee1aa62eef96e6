package dev.qvg.models.attention;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Off-heap memory for the attention products: Java floats into ND4J matrices, and two reusable
 * ND4J workspaces, one for a key/value head's copies ({@link #KV}) and one, nested in it, for a
 * query head's scores and output ({@link #HEAD}). Why workspaces: fresh off-heap memory costs a
 * page fault per 4 KiB on first touch (the scores over 65536 keys are 128 MB: about 80 ms of
 * faults per head here), and arrays left to the garbage collector make ND4J force full
 * collections (one head took 750 ms instead of 240 ms). A workspace keeps its memory and hands
 * it out again on the next activation: one head over 65536 keys then takes about 145 ms.
 *
 * <p>Each thread has its own workspaces, sized by the largest call it has made (for one head over
 * {@code Sk} keys of dimension {@code D} with {@code Sq} queries: {@code 4 (2 Sk D + Sq Sk + 2 Sq D)}
 * bytes); {@link #releaseWorkspaces()} frees the calling thread's.
 */
public final class OffHeap {

    /** Workspace of a key/value head's off-heap copies. */
    public static final String KV = "qvg-attention-kv";
    /** Workspace of one query head's queries, scores and output, nested in {@link #KV}. */
    public static final String HEAD = "qvg-attention-head";

    private static final WorkspaceConfiguration REUSED = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(0.0)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private OffHeap() {
    }

    /**
     * Activates the calling thread's workspace {@code id}: arrays created until the returned scope
     * is closed live in it and must not be used after that (copy results out first).
     */
    public static MemoryWorkspace scope(String id) {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(REUSED, id);
    }

    /** Frees the calling thread's attention workspaces (they are re-created by the next call). */
    public static void releaseWorkspaces() {
        for (String id : new String[] {HEAD, KV}) {
            if (Nd4j.getWorkspaceManager().checkIfWorkspaceExists(id)) {
                Nd4j.getWorkspaceManager().destroyWorkspace(Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(id));
            }
        }
    }

    /** {@code data[offset, offset + rows * cols)} as a C-order float matrix (one copy). */
    public static INDArray matrix(float[] data, int offset, int rows, int cols) {
        INDArray a = uninitialized(rows, cols);
        a.data().asNioFloat().put(0, data, offset, rows * cols);
        return a;
    }

    /** An uninitialised C-order float matrix. */
    public static INDArray uninitialized(long rows, long cols) {
        return Nd4j.createUninitialized(DataType.FLOAT, new long[] {rows, cols}, 'c');
    }

    /** All of a C-order float matrix's values into {@code out[offset]} onwards. */
    public static void copyOut(INDArray matrix, float[] out, int offset) {
        matrix.data().asNioFloat().get(0, out, offset, (int) matrix.length());
    }

    /**
     * Sets {@code scores[i][j]} to minus infinity for {@code j >= visible[i]}: keys a row may not
     * see, which a softmax or {@code exp} then turns into weight 0. Consecutive rows with the same
     * cut share one assignment (a chunk mask has a few cuts, a causal mask one per row).
     */
    public static void maskFrom(INDArray scores, int[] visible) {
        int rows = visible.length;
        long cols = scores.size(1);
        for (int i = 0; i < rows; ) {
            int end = i + 1;
            while (end < rows && visible[end] == visible[i]) {
                end++;
            }
            if (visible[i] < cols) {
                scores.get(NDArrayIndex.interval(i, end), NDArrayIndex.interval(visible[i], cols))
                        .assign(Float.NEGATIVE_INFINITY);
            }
            i = end;
        }
    }
}
