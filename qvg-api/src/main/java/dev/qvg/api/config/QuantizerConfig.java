package dev.qvg.api.config;

import dev.qvg.api.Args;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.ProviderNames;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything that selects and parameterises one quantization method: the method and the
 * providers that assemble it (by registry name), the block quantizer, k-means, the smoothing
 * stage count and the method's own knobs ({@link #params()}, declared and validated by the
 * method's {@code QuantizerProvider.knobs()}). Immutable and validated; start from
 * {@link #builder()}, whose numeric defaults are the original's published INT2 configuration
 * (one stage, 2-bit symmetric, block 64, 256 clusters, 100 iterations, bf16 scales). A provider
 * name left unset is resolved when the config is built, as the registry's default of that kind:
 * the property {@code qvg.<kind>} or environment variable {@code QVG_<KIND>} when set, else the
 * highest-ranked available provider (for the built-in jars: method prq, backend cpu). No method
 * is named here: methods are plug-ins.
 *
 * @param method    name of the {@code QuantizerProvider}
 * @param backend   name of the {@code BackendProvider}
 * @param clusterer name of the {@code ClustererProvider} smoothing stages use
 * @param smoother  name of the {@code SmootherProvider} each smoothing stage uses
 * @param residual  name of the {@code ResidualQuantizerProvider} (stage driver and final block stage)
 * @param stages    smoothing stages before block quantization, for methods whose stage count is a setting
 * @param params    the method's knobs by key (copied, unmodifiable); see {@code QuantizerProvider.knobs()}
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
        Map<String, String> p = new TreeMap<>();
        if (params != null) {
            params.forEach((k, v) -> {
                if (k == null || v == null) {
                    throw new IllegalArgumentException("params: null keys or values are not allowed");
                }
                p.put(k, v);
            });
        }
        // a version-1 knob at its version-1 default is the same config as without it (the file
        // format cannot tell them apart), so it is not kept: configs compare equal after a round trip
        QuantizerConfigFields.LEGACY_KNOBS.forEach((k, dflt) -> {
            String v = p.get(k);
            if (v != null && sameNumber(v, dflt)) {
                p.remove(k);
            }
        });
        params = Map.copyOf(p);
    }

    private static boolean sameNumber(String a, String b) {
        try {
            return Double.parseDouble(a.trim()) == Double.parseDouble(b);
        } catch (NumberFormatException e) {
            return false; // the method's knob refuses it, naming it
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The original's published INT2 configuration on the default method and backend. */
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
        b.params = params;
        return b;
    }

    /** This config with knob {@code key} set to {@code value} (other knobs kept). */
    public QuantizerConfig withParam(String key, String value) {
        Map<String, String> p = new TreeMap<>(params);
        p.put(Args.notNull(key, "key"), Args.notNull(value, "value"));
        return toBuilder().params(p).build();
    }

    /**
     * A one-line label, e.g. {@code prq(1 stage) int2 sym b64 bf16 K=256}: the method
     * provider's {@code label} when the method is on the class path, else a generic one.
     */
    public String label() {
        return Qvg.quantizers().contains(method) ? Qvg.quantizers().get(method).label(this)
                : method + " int" + quant.bits() + (quant.symmetric() ? " sym" : " asym") + " b" + quant.blockSize() + " "
                        + quant.scalePrecision().name().toLowerCase(java.util.Locale.ROOT) + " stages=" + stages
                        + " K=" + kmeans.clusters() + (params.isEmpty() ? "" : " " + new TreeMap<>(params));
    }

    /** Mutable builder; {@link #build()} validates and resolves unset provider names. */
    public static final class Builder {
        private String method;
        private String backend;
        private String clusterer;
        private String smoother;
        private String residual;
        private BlockQuantConfig quant = BlockQuantConfig.publishedInt2();
        private KMeansConfig kmeans = KMeansConfig.published();
        private int stages = 1;
        private Map<String, String> params = Map.of();

        public Builder method(String v) { this.method = v; return this; }
        /** The backend's name, or {@code null} for the registry's default (rank, {@code QVG_BACKEND}). */
        public Builder backend(String v) { this.backend = v; return this; }
        public Builder clusterer(String v) { this.clusterer = v; return this; }
        public Builder smoother(String v) { this.smoother = v; return this; }
        public Builder residual(String v) { this.residual = v; return this; }
        public Builder quant(BlockQuantConfig v) { this.quant = v; return this; }
        public Builder kmeans(KMeansConfig v) { this.kmeans = v; return this; }
        public Builder stages(int v) { this.stages = v; return this; }
        public Builder params(Map<String, String> v) { this.params = v; return this; }

        /** Sets one knob of the method (kept with the others). */
        public Builder param(String key, String value) {
            Map<String, String> p = new TreeMap<>(params);
            p.put(Args.notNull(key, "key"), Args.notNull(value, "value"));
            this.params = p;
            return this;
        }

        public Builder bits(int bits) { this.quant = quant.withBits(bits); return this; }
        public Builder blockSize(int b) { this.quant = quant.withBlockSize(b); return this; }
        public Builder symmetric(boolean s) { this.quant = quant.withSymmetric(s); return this; }
        public Builder scalePrecision(ScalePrecision p) { this.quant = quant.withScalePrecision(p); return this; }
        public Builder clusters(int k) { this.kmeans = kmeans.withClusters(k); return this; }
        public Builder maxIters(int n) { this.kmeans = kmeans.withMaxIters(n); return this; }
        public Builder seed(long s) { this.kmeans = kmeans.withSeed(s); return this; }
        public Builder init(KMeansInit i) { this.kmeans = kmeans.withInit(i); return this; }

        /**
         * @throws IllegalArgumentException for an invalid setting, naming it
         * @throws dev.qvg.api.registry.ProviderNotFoundException when a name is unset and no
         *         provider of that kind is on the class path (the message names the jar kind to add)
         */
        public QuantizerConfig build() {
            // names the user gave are checked before any default is looked up
            String[][] given = {{"method", method}, {"backend", backend}, {"clusterer", clusterer},
                {"smoother", smoother}, {"residual", residual}};
            for (String[] g : given) {
                if (g[1] != null) {
                    ProviderNames.check(g[0], g[1]);
                }
            }
            return new QuantizerConfig(
                    method != null ? method : DefaultProviders.name(Qvg.quantizers()),
                    backend != null ? backend : DefaultProviders.name(Qvg.backends()),
                    clusterer != null ? clusterer : DefaultProviders.name(Qvg.clusterers()),
                    smoother != null ? smoother : DefaultProviders.name(Qvg.smoothers()),
                    residual != null ? residual : DefaultProviders.name(Qvg.residuals()),
                    quant, kmeans, stages, params);
        }
    }
}
