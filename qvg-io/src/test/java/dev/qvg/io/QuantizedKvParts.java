package dev.qvg.io;

import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a whole {@link QuantizedKv} into the part of slices {@code [first, first + count)}, the way
 * {@code Quantizer.quantizeSlices} would have produced it: every component is slice-major, so a
 * part is a contiguous run of each array. Written independently of the main code, as a test oracle.
 */
final class QuantizedKvParts {

    private QuantizedKvParts() {
    }

    static QuantizedKv slice(QuantizedKv q, int first, int count) {
        KvShape s = q.shape();
        int n = s.slices(), S = s.tokens(), D = s.headDim(), Sq = q.quantizedTokens();
        PackedBlocks b = q.blocks();
        PackedBlocks pb = null;
        if (b != null) {
            int rps = b.rows() / n;
            int bpr = b.bytesPerRow(), spr = b.blocksPerRow();
            pb = new PackedBlocks(rps * count, b.cols(), b.config(),
                    Arrays.copyOfRange(b.codes(), first * rps * bpr, (first + count) * rps * bpr),
                    Arrays.copyOfRange(b.scales(), first * rps * spr, (first + count) * rps * spr),
                    b.zeros() == null ? null : Arrays.copyOfRange(b.zeros(), first * rps * spr, (first + count) * rps * spr));
        }
        List<ClusterStage> stages = new ArrayList<>();
        for (ClusterStage st : q.stages()) {
            int K = st.clusters();
            stages.add(new ClusterStage(count, Sq, D, K,
                    Arrays.copyOfRange(st.centroids(), first * K * D, (first + count) * K * D),
                    Arrays.copyOfRange(st.ids(), first * Sq, (first + count) * Sq),
                    Arrays.copyOfRange(st.iterations(), first, first + count)));
        }
        int tail = S - Sq;
        short[] t = Arrays.copyOfRange(q.fullPrecisionTail(), first * tail * D, (first + count) * tail * D);
        return new QuantizedKv(new KvShape(1, count, S, D), q.role(), q.method(), q.orientation(), Sq, pb, stages, t,
                q.info());
    }
}
