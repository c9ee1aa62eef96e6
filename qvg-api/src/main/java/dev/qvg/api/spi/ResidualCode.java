package dev.qvg.api.spi;

import dev.qvg.api.quant.ClusterStage;
import dev.qvg.api.quant.PackedBlocks;
import java.util.List;

/** The output of progressive residual quantization: the stages in order and the final blocks. */
public record ResidualCode(List<ClusterStage> stages, PackedBlocks blocks) {
    public ResidualCode {
        stages = List.copyOf(stages);
        dev.qvg.api.Args.notNull(blocks, "blocks");
    }
}
