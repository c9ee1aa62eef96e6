package dev.qvg.api.quant;

import dev.qvg.api.Args;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import java.util.List;
import java.util.Map;

/**
 * A quantized K or V tensor, self-describing: everything needed to reconstruct it and to
 * account for its storage. Per (batch, head) slice the first {@code quantizedTokens} tokens
 * are block-quantized (after subtracting the smoothing stages' centroids) and the remaining
 * {@code S - quantizedTokens} are kept in BF16 in {@code fullPrecisionTail} (KIVI's recent
 * window; empty for the other methods).
 *
 * <p>Reconstruction of a quantized token: {@code dequant(blocks) + sum over stages of C_s[id_s]}.
 *
 * @param blocks            {@code null} only when {@code quantizedTokens == 0}
 * @param stages            smoothing stages in the order they were applied (empty for RTN/KIVI);
 *                          each covers {@code quantizedTokens} tokens per slice
 * @param fullPrecisionTail bf16 bits, {@code [slices, S - quantizedTokens, D]}
 * @param info              free-form facts about the run (method parameters), kept in files
 */
public record QuantizedKv(KvShape shape, KvRole role, String method, Orientation orientation, int quantizedTokens,
                          PackedBlocks blocks, List<ClusterStage> stages, short[] fullPrecisionTail,
                          Map<String, String> info) {

    /**
     * Info key a method sets to {@code "true"} when its codes are not the values themselves (a
     * rotation, a transform) so only its own {@code Quantizer.dequantize} reconstructs them: the
     * reference decoder, and readers without the method (qvg_read.py), then refuse the entry
     * instead of returning transformed values. Kept in files with the rest of the info.
     */
    public static final String INFO_METHOD_DECODE = "method_decode";

    /** Whether only the method's own quantizer can decode this ({@link #INFO_METHOD_DECODE}). */
    public boolean needsMethodDecoder() {
        return "true".equals(info.get(INFO_METHOD_DECODE));
    }

    public QuantizedKv {
        Args.notNull(shape, "shape");
        Args.notNull(role, "role");
        Args.notNull(method, "method");
        Args.notNull(orientation, "orientation");
        Args.notNull(fullPrecisionTail, "fullPrecisionTail");
        stages = List.copyOf(stages == null ? List.of() : stages);
        info = Map.copyOf(info == null ? Map.of() : info);
        int S = shape.tokens(), D = shape.headDim(), n = shape.slices();
        if (quantizedTokens < 0 || quantizedTokens > S) {
            throw new IllegalArgumentException("quantized kv: quantizedTokens " + quantizedTokens + " outside 0.." + S);
        }
        if (quantizedTokens == 0 && blocks != null) {
            throw new IllegalArgumentException("quantized kv: blocks present but no token is quantized");
        }
        if (quantizedTokens > 0) {
            Args.notNull(blocks, "blocks");
            int rows = orientation == Orientation.TOKEN_MAJOR ? n * quantizedTokens : n * D;
            int cols = orientation == Orientation.TOKEN_MAJOR ? D : quantizedTokens;
            if (blocks.rows() != rows || blocks.cols() != cols) {
                throw new IllegalArgumentException("quantized kv: blocks are [" + blocks.rows() + ", " + blocks.cols()
                        + "], expected [" + rows + ", " + cols + "] for " + shape + " " + orientation + " with "
                        + quantizedTokens + " quantized tokens");
            }
        }
        long tail = (long) n * (S - quantizedTokens) * D;
        if (fullPrecisionTail.length != tail) {
            throw new IllegalArgumentException("quantized kv: full-precision tail must hold " + tail + " values, got "
                    + fullPrecisionTail.length);
        }
        for (ClusterStage st : stages) {
            if (st.slices() != n || st.tokens() != quantizedTokens || st.dim() != D) {
                throw new IllegalArgumentException("quantized kv: a stage covers " + st.slices() + " x [" + st.tokens()
                        + ", " + st.dim() + "], expected " + n + " x [" + quantizedTokens + ", " + D + "]");
            }
        }
    }

    /**
     * The same codes as another method's, with its info: what that method would have stored
     * (a file written by a plug-in absent here, say). The arrays are shared, as the record's
     * components are.
     */
    public QuantizedKv withMethod(String method, Map<String, String> info) {
        return new QuantizedKv(shape, role, method, orientation, quantizedTokens, blocks, stages, fullPrecisionTail, info);
    }

    /** Exact storage of everything this value holds, per component. */
    public BitBudget budget() {
        long ids = 0, cents = 0;
        for (ClusterStage st : stages) {
            ids += st.idStorageBits();
            cents += st.centroidStorageBits();
        }
        return new BitBudget(shape.numel(),
                blocks == null ? 0 : blocks.codeBits(),
                blocks == null ? 0 : blocks.scaleBits(),
                blocks == null ? 0 : blocks.zeroBits(),
                ids, cents, (long) fullPrecisionTail.length * 16);
    }

    /** k-means iterations per stage and slice, as {@code [stage][slice]}. */
    public int[][] kmeansIterations() {
        int[][] it = new int[stages.size()][];
        for (int s = 0; s < it.length; s++) {
            it[s] = stages.get(s).iterations().clone();
        }
        return it;
    }
}
