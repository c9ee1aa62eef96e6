package dev.qvg.example;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.KernelArgs;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.tensor.SliceBatch;
import java.util.List;

/**
 * Two deliberately wrong variants of the example backend, as a vendor might get it wrong; never
 * registered. {@link BrokenBackendsFailTheKitTest} proves the conformance kit rejects each.
 */
final class BrokenBackends {

    private BrokenBackends() {
    }

    /** Packs INT2 codes least significant first ({@code c[4i] | c[4i+1] << 2 | ...}), the common mistake. */
    static Backend int2LsbFirst() {
        return new Delegating("broken-int2-order") {
            @Override
            public PackedBlocks quantizePack(float[] x, int rows, int cols, BlockQuantConfig c) {
                PackedBlocks p = super.quantizePack(x, rows, cols, c);
                if (c.bits() != 2) {
                    return p;
                }
                byte[] codes = p.codes().clone();
                for (int i = 0; i < codes.length; i++) {
                    int b = codes[i] & 0xFF;
                    codes[i] = (byte) (((b & 0x03) << 6) | ((b & 0x0C) << 2) | ((b & 0x30) >>> 2) | ((b & 0xC0) >>> 6));
                }
                return new PackedBlocks(p.rows(), p.cols(), c, codes, p.scales(), p.zeros());
            }
        };
    }

    /** Breaks distance ties towards the highest index ({@code <=} instead of {@code <}). */
    static Backend tiesToHighest() {
        return new Delegating("broken-ties") {
            @Override
            public void assign(SliceBatch b, float[] points, float[] centroids, int clusters, int[] ids, int[] changed,
                               boolean[] active) {
                requireOpen();
                KernelArgs.checkAssign(b, points, centroids, clusters, ids, changed, active);
                int S = b.tokens(), D = b.dim();
                for (int i = 0; i < b.slices(); i++) {
                    if (active != null && !active[i]) {
                        continue;
                    }
                    int moved = 0;
                    for (int s = 0; s < S; s++) {
                        int row = (i * S + s) * D, best = 0;
                        float bestDist = Float.POSITIVE_INFINITY;
                        for (int k = 0; k < clusters; k++) {
                            float xx = 0f, xc = 0f, cc = 0f;
                            for (int d = 0; d < D; d++) {
                                float x = points[row + d], c = centroids[(i * clusters + k) * D + d];
                                xx += x * x;
                                xc += x * c;
                                cc += c * c;
                            }
                            float dist = xx - 2f * xc + cc;
                            if (dist <= bestDist) {
                                bestDist = dist;
                                best = k;
                            }
                        }
                        moved += ids[i * S + s] != best ? 1 : 0;
                        ids[i * S + s] = best;
                    }
                    changed[i] = moved;
                }
            }
        };
    }

    /** Forwards everything to a real {@link ExampleBackend}. */
    private static class Delegating implements Backend {
        private final Backend inner;
        private final String name;
        private volatile boolean closed;

        Delegating(String name) {
            this.name = name;
            this.inner = new ExampleBackend(name);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void assign(SliceBatch b, float[] p, float[] c, int k, int[] ids, int[] changed, boolean[] active) {
            inner.assign(b, p, c, k, ids, changed, active);
        }

        @Override
        public void updateCentroids(SliceBatch b, float[] p, int[] ids, int k, float[] c, boolean[] active) {
            inner.updateCentroids(b, p, ids, k, c, active);
        }

        @Override
        public void subtractCentroids(SliceBatch b, float[] p, int[] ids, float[] c, int k) {
            inner.subtractCentroids(b, p, ids, c, k);
        }

        @Override
        public void accumulateCentroids(SliceBatch b, float[] out, int[] ids, float[] c, int k) {
            inner.accumulateCentroids(b, out, ids, c, k);
        }

        @Override
        public PackedBlocks quantizePack(float[] x, int rows, int cols, BlockQuantConfig c) {
            return inner.quantizePack(x, rows, cols, c);
        }

        @Override
        public void unpackDequant(PackedBlocks blocks, float[] out) {
            inner.unpackDequant(blocks, out);
        }

        @Override
        public void decode(SliceBatch b, PackedBlocks blocks, List<ClusterStage> stages, float[] out) {
            inner.decode(b, blocks, stages, out);
        }

        /** For overridden kernels: the kit also checks that a closed backend refuses work. */
        protected void requireOpen() {
            if (closed) {
                throw new IllegalStateException("backend '" + name + "' is closed");
            }
        }

        @Override
        public void close() {
            closed = true;
            inner.close();
        }
    }
}
