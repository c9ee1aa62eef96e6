package dev.qvg.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The PTX modules packaged under {@code dev/qvg/cuda/ptx/} (compiled from {@code src/main/cuda}
 * by the {@code nvcc} Maven profile, and committed so that builds without nvcc still ship them)
 * and the kernel entry points the Java side uses from each.
 */
final class Ptx {

    static final String KMEANS = "kmeans";
    static final String QUANT = "quant";
    static final String DECODE = "decode";
    static final String SPAN = "span";

    static final String ROW_SQNORM = "qvg_row_sqnorm";
    static final String ASSIGN = "qvg_assign";
    static final String CLUSTER_SORT = "qvg_cluster_sort";
    static final String CLUSTER_MEANS = "qvg_cluster_means";
    static final String APPLY_CENTROIDS = "qvg_apply_centroids";
    static final String BLOCK_STATS = "qvg_block_stats";
    static final String PACK = "qvg_pack";
    static final String DECODE_F32 = "qvg_decode_f32";
    static final String DECODE_BF16 = "qvg_decode_bf16";
    static final String ROUND_BF16 = "qvg_round_bf16";
    static final String SUBTRACT_BF16 = "qvg_subtract_bf16";
    static final String GATHER_ROWS = "qvg_gather_rows";

    /** Module name to the entry points loaded from it. */
    static final Map<String, List<String>> ENTRIES = Map.of(
            KMEANS, List.of(ROW_SQNORM, ASSIGN, CLUSTER_SORT, CLUSTER_MEANS, APPLY_CENTROIDS),
            QUANT, List.of(BLOCK_STATS, PACK),
            DECODE, List.of(DECODE_F32, DECODE_BF16),
            SPAN, List.of(ROUND_BF16, SUBTRACT_BF16, GATHER_ROWS));

    private Ptx() {
    }

    static String resourcePath(String module) {
        return "/dev/qvg/cuda/ptx/" + module + ".ptx";
    }

    /** The module's PTX text, NUL-terminated as {@code cuModuleLoadData} expects. */
    static byte[] load(String module) {
        try (InputStream in = Ptx.class.getResourceAsStream(resourcePath(module))) {
            if (in == null) {
                throw new IllegalStateException("cuda backend: PTX resource " + resourcePath(module)
                        + " is missing from the class path (rebuild qvg-cuda)");
            }
            byte[] text = in.readAllBytes();
            byte[] z = new byte[text.length + 1];
            System.arraycopy(text, 0, z, 0, text.length);
            return z;
        } catch (IOException e) {
            throw new UncheckedIOException("cuda backend: cannot read " + resourcePath(module), e);
        }
    }
}
