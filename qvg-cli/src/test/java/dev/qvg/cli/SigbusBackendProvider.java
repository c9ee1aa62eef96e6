package dev.qvg.cli;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;
import dev.qvg.api.spi.FilterBackend;

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
        return new FilterBackend(new ReferenceBackend()) {
            @Override
            public String name() {
                return "sigbus";
            }

            @Override
            public PackedBlocks quantizePack(float[] x, int rows, int cols, BlockQuantConfig config) {
                throw new InternalError("a fault occurred in a recent unsafe memory access operation in compiled Java code");
            }
        };
    }
}
