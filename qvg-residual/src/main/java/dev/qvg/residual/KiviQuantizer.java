package dev.qvg.residual;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.Orientation;
import dev.qvg.api.quant.PackedBlocks;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.SliceBatch;
import java.util.List;
import java.util.Map;

/**
 * KIVI (Liu et al., 2024) as a static tensor quantizer (spec section 9), asymmetric always
 * (the config's {@code symmetric} is ignored), with the config's bits and scale precision and
 * {@code G} = knob {@code kivi_group_size}, {@code R} = knob {@code kivi_residual_tokens}
 * ({@link KiviQuantizerProvider}); built with the canonical config, whose block size is {@code G}:
 * <ul>
 *   <li>keys per channel: each channel of each slice is cut along the token axis into groups
 *       of {@code G} tokens (CHANNEL_MAJOR blocks). Only whole groups are quantized: the first
 *       {@code Sq = floor(max(0, S - R) / G) * G} tokens; the newest {@code R} tokens and the
 *       remainder that does not fill a group stay bf16, as KIVI keeps a key in full precision
 *       until its group is complete;</li>
 *   <li>values per token: groups of {@code G} values along D (TOKEN_MAJOR blocks; D must be a
 *       multiple of {@code G}). A value needs no token group, so every token older than the
 *       window is quantized: {@code Sq = max(0, S - R)}.</li>
 * </ul>
 * Tokens are oldest first, so "newest" means the last ones. When {@code Sq = 0} the whole tensor
 * is kept in bf16.
 */
final class KiviQuantizer extends AbstractKvQuantizer {

    KiviQuantizer(QuantizerConfig config, QuantizerContext context) {
        super(KiviQuantizerProvider.NAME, config, context);
    }

    private int residualTokens() {
        return KiviQuantizerProvider.RESIDUAL_TOKENS.intValue(config);
    }

    /** Tokens per slice that KIVI quantizes for this role. */
    int quantizedTokens(int tokens, KvRole role) {
        return KiviQuantizerProvider.quantizedTokens(tokens, role, config.quant().blockSize(), residualTokens());
    }

    @Override
    public BitBudget budget(KvShape shape, KvRole role) {
        return KiviQuantizerProvider.budget(config.quant(), residualTokens(), shape, role);
    }

    @Override
    protected QuantizedKv encode(KvShape shape, SliceBatch batch, KvRole role, float[] work,
                                 java.util.List<dev.qvg.api.quant.ClusterStage> warmStart) {
        int n = shape.slices(), S = shape.tokens(), D = shape.headDim();
        int Sq = quantizedTokens(S, role);
        BlockQuantConfig q = config.quant(); // canonical: asymmetric, block = group G
        PackedBlocks blocks = null;
        Orientation orientation = role == KvRole.KEY ? Orientation.CHANNEL_MAJOR : Orientation.TOKEN_MAJOR;
        if (Sq > 0) {
            float[] m = new float[n * Sq * D];
            if (role == KvRole.KEY) {
                Transpose.tokenToChannel(work, S, m, n, Sq, D);
                blocks = context.backend().quantizePack(m, n * D, Sq, q);
            } else {
                for (int i = 0; i < n; i++) {
                    System.arraycopy(work, i * S * D, m, i * Sq * D, Sq * D);
                }
                blocks = context.backend().quantizePack(m, n * Sq, D, q);
            }
        }
        int tail = S - Sq;
        short[] t = new short[n * tail * D];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < tail * D; j++) {
                t[i * tail * D + j] = Bf16.fromFloat(work[(i * S + Sq) * D + j]);
            }
        }
        return new QuantizedKv(shape, role, config.method(), orientation, Sq, blocks, List.of(), t, info(q));
    }

    private Map<String, String> info(BlockQuantConfig q) {
        Map<String, String> m = baseInfo();
        m.put("blockSize", Integer.toString(q.blockSize()));
        m.put("symmetric", "false");
        m.put("kiviGroupSize", Integer.toString(q.blockSize()));
        m.put("kiviResidualTokens", Integer.toString(residualTokens()));
        return m;
    }
}
