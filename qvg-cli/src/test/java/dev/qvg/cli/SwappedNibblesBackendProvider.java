package dev.qvg.cli;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;
import dev.qvg.api.spi.FilterBackend;

/**
 * A deliberately wrong backend, registered for this module's tests only: the reference backend,
 * except that INT4 codes are packed low nibble first. {@code qvg conformance} must fail it.
 */
public final class SwappedNibblesBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "swappednibbles";
    }

    @Override
    public String description() {
        return "test only: reference backend with INT4 nibbles swapped";
    }

    @Override
    public Backend create() {
        return new FilterBackend(new ReferenceBackend()) {
            @Override
            public String name() {
                return "swappednibbles";
            }

            @Override
            public PackedBlocks quantizePack(float[] x, int rows, int cols, BlockQuantConfig config) {
                PackedBlocks p = delegate.quantizePack(x, rows, cols, config);
                if (config.bits() != 4) {
                    return p;
                }
                byte[] codes = p.codes().clone();
                for (int i = 0; i < codes.length; i++) {
                    codes[i] = (byte) (((codes[i] & 0x0F) << 4) | ((codes[i] >> 4) & 0x0F));
                }
                return new PackedBlocks(p.rows(), p.cols(), p.config(), codes, p.scales(), p.zeros());
            }
        };
    }
}
