package dev.qvg.api.config;

import dev.qvg.api.Args;
import dev.qvg.api.spi.ProviderNames;
import java.util.Map;

/**
 * Everything that selects and parameterises one quantization method: the method and the
 * providers that assemble it (by registry name), the block quantizer, k-means, PRQ stages and
 * the baselines' knobs. Immutable and validated; start from {@link #builder()} whose defaults
 * are the published INT2 configuration (PRQ with one stage, 2-bit symmetric, block 64, 256
 * clusters, 100 iterations, bf16 scales) on the {@code cpu} backend.
 *
 * @param method          name of the {@code QuantizerProvider}: rtn, rtn-clip, kivi, sas, prq, or a plug-in's
 * @param backend         name of the {@code BackendProvider}
 * @param clusterer       name of the {@code ClustererProvider} SAS stages use
 * @param smoother        name of the {@code SmootherProvider} each PRQ stage uses
 * @param residual        name of the {@code ResidualQuantizerProvider} (PRQ driver and final block stage)
 * @param stages          smoothing stages before block quantization (0 = plain RTN, 1 = SAS)
 * @param clipPercentile  percentile of |x| per block kept by rtn-clip (e.g. 99)
 * @param kiviGroupSize   KIVI group size (tokens per key group, values per value group)
 * @param kiviResidualTokens KIVI full-precision window of most recent tokens
 * @param params          extra string parameters for third-party methods (copied, unmodifiable)
 */
public record QuantizerConfig(
        String method,
        String backend,
        String clusterer,
        String smoother,
        String residual,
        BlockQuantConfig quant,
        KMeansConfig kmeans,
        int stages,
        double clipPercentile,
        int kiviGroupSize,
        int kiviResidualTokens,
        Map<String, String> params) {

    /** Most smoothing stages accepted: beyond a handful the centroid storage exceeds the savings. */
    public static final int MAX_STAGES = 16;

    public QuantizerConfig {
        ProviderNames.check("method", method);
        ProviderNames.check("backend", backend);
        ProviderNames.check("clusterer", clusterer);
        ProviderNames.check("smoother", smoother);
        ProviderNames.check("residual", residual);
        Args.notNull(quant, "quant");
        Args.notNull(kmeans, "kmeans");
        if (stages < 0 || stages > MAX_STAGES) {
            throw new IllegalArgumentException("stages: must be in 0.." + MAX_STAGES + ", got " + stages);
        }
        if (!(clipPercentile > 0 && clipPercentile <= 100)) {
            throw new IllegalArgumentException("clipPercentile: must be in (0, 100], got " + clipPercentile);
        }
        if (kiviGroupSize < 1) {
            throw new IllegalArgumentException("kiviGroupSize: must be positive, got " + kiviGroupSize);
        }
        if (kiviResidualTokens < 0) {
            throw new IllegalArgumentException("kiviResidualTokens: must not be negative, got " + kiviResidualTokens);
        }
        params = Map.copyOf(params == null ? Map.of() : params);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The published INT2 configuration of the original. */
    public static QuantizerConfig publishedInt2() {
        return builder().build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.method = method;
        b.backend = backend;
        b.clusterer = clusterer;
        b.smoother = smoother;
        b.residual = residual;
        b.quant = quant;
        b.kmeans = kmeans;
        b.stages = stages;
        b.clipPercentile = clipPercentile;
        b.kiviGroupSize = kiviGroupSize;
        b.kiviResidualTokens = kiviResidualTokens;
        b.params = params;
        return b;
    }

    /** A short human label, e.g. {@code prq(2 stages) int2 sym b64 bf16 K=256}. */
    public String label() {
        String m = method;
        if (method.equals("prq")) {
            m = "prq(" + stages + (stages == 1 ? " stage)" : " stages)");
        }
        return m + " int" + quant.bits() + (quant.symmetric() ? " sym" : " asym") + " b" + quant.blockSize() + " "
                + quant.scalePrecision().name().toLowerCase(java.util.Locale.ROOT)
                + (method.equals("sas") || method.equals("prq") ? " K=" + kmeans.clusters() : "");
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private String method = "prq";
        private String backend = "cpu";
        private String clusterer = "kmeans";
        private String smoother = "sas";
        private String residual = "prq";
        private BlockQuantConfig quant = BlockQuantConfig.publishedInt2();
        private KMeansConfig kmeans = KMeansConfig.published();
        private int stages = 1;
        private double clipPercentile = 99.0;
        private int kiviGroupSize = 32;
        private int kiviResidualTokens = 128;
        private Map<String, String> params = Map.of();

        public Builder method(String v) { this.method = v; return this; }
        public Builder backend(String v) { this.backend = v; return this; }
        public Builder clusterer(String v) { this.clusterer = v; return this; }
        public Builder smoother(String v) { this.smoother = v; return this; }
        public Builder residual(String v) { this.residual = v; return this; }
        public Builder quant(BlockQuantConfig v) { this.quant = v; return this; }
        public Builder kmeans(KMeansConfig v) { this.kmeans = v; return this; }
        public Builder stages(int v) { this.stages = v; return this; }
        public Builder clipPercentile(double v) { this.clipPercentile = v; return this; }
        public Builder kiviGroupSize(int v) { this.kiviGroupSize = v; return this; }
        public Builder kiviResidualTokens(int v) { this.kiviResidualTokens = v; return this; }
        public Builder params(Map<String, String> v) { this.params = v; return this; }

        public Builder bits(int bits) { this.quant = quant.withBits(bits); return this; }
        public Builder blockSize(int b) { this.quant = quant.withBlockSize(b); return this; }
        public Builder symmetric(boolean s) { this.quant = quant.withSymmetric(s); return this; }
        public Builder scalePrecision(ScalePrecision p) { this.quant = quant.withScalePrecision(p); return this; }
        public Builder clusters(int k) { this.kmeans = kmeans.withClusters(k); return this; }
        public Builder maxIters(int n) { this.kmeans = kmeans.withMaxIters(n); return this; }
        public Builder seed(long s) { this.kmeans = kmeans.withSeed(s); return this; }
        public Builder init(KMeansInit i) { this.kmeans = kmeans.withInit(i); return this; }

        public QuantizerConfig build() {
            return new QuantizerConfig(method, backend, clusterer, smoother, residual, quant, kmeans, stages,
                    clipPercentile, kiviGroupSize, kiviResidualTokens, params);
        }
    }
}
