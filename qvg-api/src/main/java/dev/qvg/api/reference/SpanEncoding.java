package dev.qvg.api.reference;

import dev.qvg.api.Args;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.spi.ResidualCode;
import dev.qvg.api.spi.SpanPlan;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.SliceBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * A span encoded from a backend's operations: the definition (and default) of
 * {@link Backend#encodeSpan}. Per stage: {@link Backend#cluster}, centroids rounded to the
 * stored bf16 ({@link #storedStage}), the <em>stored</em> centroid subtracted from each row;
 * then {@link Backend#quantizePack} of what is left.
 */
public final class SpanEncoding {

    private SpanEncoding() {
    }

    /** Checks {@link Backend#encodeSpan}'s arguments before any work (a bad block size fails at once). */
    public static void checkArgs(SliceBatch batch, float[] x, SpanPlan plan) {
        Args.notNull(batch, "batch");
        Args.notNull(plan, "plan");
        batch.requireLength("x", x, batch.dim());
        plan.quant().requireDivides(batch.dim());
    }

    public static ResidualCode compose(Backend backend, SliceBatch batch, float[] x, SpanPlan plan) {
        Args.notNull(backend, "backend");
        checkArgs(batch, x, plan);
        List<ClusterStage> done = new ArrayList<>(plan.stages());
        for (int s = 0; s < plan.stages(); s++) {
            var config = plan.stageConfig(s);
            ClusteringResult r = backend.cluster(batch, x, config, plan.initialCentroids(s, x));
            ClusterStage stage = storedStage(batch, config.clusters(), r);
            backend.subtractCentroids(batch, x, stage.ids(), stage.centroidsAsFloat(), config.clusters());
            done.add(stage);
        }
        PackedBlocks blocks = backend.quantizePack(x, batch.rows(), batch.dim(), plan.quant());
        return new ResidualCode(done, blocks);
    }

    /**
     * A clustering as stored: centroids rounded to bf16. A mean near {@code Float.MAX_VALUE} can
     * round up to infinity in bf16; that is refused, as the input is too large to store.
     */
    public static ClusterStage storedStage(SliceBatch batch, int clusters, ClusteringResult r) {
        float[] c = r.centroids();
        short[] bf = new short[c.length];
        roundToStored(c, bf, null, 0, c.length);
        return new ClusterStage(batch.slices(), batch.tokens(), batch.dim(), clusters, bf, r.ids(), r.iterations());
    }

    /**
     * Rounds {@code centroids[from, from + length)} to bf16 into {@code stored} and, when
     * {@code asFloat} is not null, their float values into {@code asFloat}; refuses a value that
     * overflows bf16 (see {@link #storedStage}).
     */
    public static void roundToStored(float[] centroids, short[] stored, float[] asFloat, int from, int length) {
        for (int i = from; i < from + length; i++) {
            short b = Bf16.fromFloat(centroids[i]);
            if ((b & 0x7F80) == 0x7F80) {
                throw new IllegalArgumentException("x: centroid value " + centroids[i]
                        + " overflows bfloat16; the input is too large to store its centroids");
            }
            stored[i] = b;
            if (asFloat != null) {
                asFloat[i] = Bf16.toFloat(b);
            }
        }
    }
}
