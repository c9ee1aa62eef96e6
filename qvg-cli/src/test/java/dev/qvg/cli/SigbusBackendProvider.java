package dev.qvg.cli;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;
import dev.qvg.api.tensor.SliceBatch;

/**
 * Test only: a backend that fails the way a memory-mapped read of a file truncated meanwhile
 * fails inside the JVM (SIGBUS, delivered as {@code InternalError}), so that the command line's
 * last line of defence for it can be shown to print one line, not a trace.
 */
public final class SigbusBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "sigbus";
    }

    @Override
    public String description() {
        return "test only: fails as a truncated mapped file does";
    }

    @Override
    public Backend create() {
        return new Backend() {
            private final ReferenceBackend ref = new ReferenceBackend();

            @Override
            public String name() {
                return "sigbus";
            }

            @Override
            public void assign(SliceBatch b, float[] p, float[] c, int k, int[] ids, int[] changed, boolean[] active) {
                ref.assign(b, p, c, k, ids, changed, active);
            }

            @Override
            public void updateCentroids(SliceBatch b, float[] p, int[] ids, int k, float[] c, boolean[] active) {
                ref.updateCentroids(b, p, ids, k, c, active);
            }

            @Override
            public void subtractCentroids(SliceBatch b, float[] p, int[] ids, float[] c, int k) {
                ref.subtractCentroids(b, p, ids, c, k);
            }

            @Override
            public void accumulateCentroids(SliceBatch b, float[] out, int[] ids, float[] c, int k) {
                ref.accumulateCentroids(b, out, ids, c, k);
            }

            @Override
            public PackedBlocks quantizePack(float[] x, int rows, int cols, BlockQuantConfig config) {
                throw new InternalError("a fault occurred in a recent unsafe memory access operation in compiled Java code");
            }

            @Override
            public void unpackDequant(PackedBlocks blocks, float[] out) {
                ref.unpackDequant(blocks, out);
            }
        };
    }
}
