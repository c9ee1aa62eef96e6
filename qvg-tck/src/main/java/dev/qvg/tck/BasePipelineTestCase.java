package dev.qvg.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.KMeansConfig;
import dev.qvg.api.config.KMeansInit;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.ClusteringResult;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.spi.QuantizerContext;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/**
 * Whole methods on the backend: the registry's {@code kmeans} clusterer, {@code sas} smoother
 * and {@code prq} residual quantizer assembled in a {@link QuantizerContext} around the backend
 * under test, against the same assembly around {@link dev.qvg.api.reference.ReferenceBackend}.
 * <ul>
 *   <li>{@code rtn} and {@code kivi} (no clustering) must give identical bits;</li>
 *   <li>{@code sas} and {@code prq} must store exactly the same number of bits, decode (through the
 *       backend) exactly as {@link ReferenceDecoder} decodes the same stored value, and reach a
 *       relative L2 error within {@link Tolerances#PIPELINE_RELATIVE_ERROR} of the reference's;</li>
 *   <li>a whole k-means run from fixed centroids on well separated blobs gives the reference's ids
 *       and iteration counts, and centroids within {@link Tolerances#CENTROID_RELATIVE}.</li>
 * </ul>
 */
public abstract class BasePipelineTestCase extends BackendKitTestCase {

    /** (method, stages, block quantizer) for the pipelines; clusters and iterations kept small. */
    static Stream<Arguments> pipelines() {
        BlockQuantConfig published = BlockQuantConfig.publishedInt2();
        BlockQuantConfig int4 = new BlockQuantConfig(4, 16, false, ScalePrecision.FP8_E4M3);
        return Stream.of(
                Arguments.of("sas", 1, Named.of("int2-sym-bf16-b64", published)),
                Arguments.of("prq", 2, Named.of("int2-sym-bf16-b64", published)),
                Arguments.of("sas", 1, Named.of("int4-asym-fp8-b16", int4)),
                Arguments.of("prq", 3, Named.of("int4-asym-fp8-b16", int4)));
    }

    private QuantizerContext context(Backend b) {
        return new QuantizerContext(b, Qvg.clusterers().getAvailable("kmeans").create(),
                Qvg.smoothers().getAvailable("sas").create(), Qvg.residuals().getAvailable("prq").create());
    }

    private Quantizer quantizer(QuantizerConfig cfg, Backend b) {
        return Qvg.quantizers().getAvailable(cfg.method()).create(cfg, context(b));
    }

    private QuantizerConfig config(String method, int stages, BlockQuantConfig q, long seed) {
        // The config's backend name is only a label here: the context carries the backend itself.
        return QuantizerConfig.builder().method(method).backend(backend().name()).stages(stages).quant(q)
                .kmeans(new KMeansConfig(16, 12, 1e-4, seed, KMeansInit.RANDOM)).build();
    }

    @ParameterizedTest(name = "{0} stages={1} {2}")
    @MethodSource("pipelines")
    void pipelineWithinToleranceOfReference(String method, int stages, BlockQuantConfig q) {
        assumeQuantSupported(q);
        Random r = random();
        for (int dim : new int[]{64, 128}) {
            KvShape shape = new KvShape(1, 3, scaled(193), dim);
            float[] x = Fixtures.clusteredTokens(r, shape.slices(), shape.tokens(), dim, 12);
            QuantizerConfig cfg = config(method, stages, q, r.nextLong());
            Quantizer onBackend = quantizer(cfg, backend());
            Quantizer onReference = quantizer(cfg, reference());
            QuantizedKv got = onBackend.quantize(KvTensor.wrap(shape, x.clone()), KvRole.KEY);
            QuantizedKv want = onReference.quantize(KvTensor.wrap(shape, x.clone()), KvRole.KEY);
            String what = cfg.label() + " " + shape;
            assertEquals(want.budget(), got.budget(), what + ": stored bits");
            assertEquals(want.stages().size(), got.stages().size(), what + ": stage count");
            float[] decoded = onBackend.dequantize(got).data();
            Checks.assertSameFloats(ReferenceDecoder.decode(got).data(), decoded, dim,
                    what + ": the backend's decode of its own output vs ReferenceDecoder");
            double eGot = ErrorMetrics.compare(x, decoded, dim).relL2();
            double eWant = ErrorMetrics.compare(x, onReference.dequantize(want).data(), dim).relL2();
            if (!(Math.abs(eGot - eWant) <= Tolerances.PIPELINE_RELATIVE_ERROR * eWant)) {
                throw new AssertionFailedError(String.format(Locale.ROOT,
                        "%s: relative L2 error %.6f on the backend vs %.6f on the reference (allowed: within %.0f%%)",
                        what, eGot, eWant, 100 * Tolerances.PIPELINE_RELATIVE_ERROR));
            }
        }
    }

    /** The nightly tier: the published configuration at a model-like span (K = 256, 1024 tokens). */
    @Test
    @Tag("slow")
    void publishedInt2AtModelSize() {
        Random r = random();
        KvShape shape = new KvShape(1, 2, scaled(1024), 128);
        float[] x = Fixtures.clusteredTokens(r, shape.slices(), shape.tokens(), 128, 300);
        QuantizerConfig cfg = QuantizerConfig.builder().method("prq").backend(backend().name()).stages(1)
                .kmeans(new KMeansConfig(256, 20, 1e-4, r.nextLong(), KMeansInit.RANDOM)).build();
        QuantizedKv got = quantizer(cfg, backend()).quantize(KvTensor.wrap(shape, x.clone()), KvRole.KEY);
        QuantizedKv want = quantizer(cfg, reference()).quantize(KvTensor.wrap(shape, x.clone()), KvRole.KEY);
        assertEquals(want.budget(), got.budget(), "stored bits");
        double eGot = ErrorMetrics.compare(x, ReferenceDecoder.decode(got).data(), 128).relL2();
        double eWant = ErrorMetrics.compare(x, ReferenceDecoder.decode(want).data(), 128).relL2();
        if (!(Math.abs(eGot - eWant) <= Tolerances.PIPELINE_RELATIVE_ERROR * eWant)) {
            throw new AssertionFailedError(String.format(Locale.ROOT,
                    "published INT2 %s: relative L2 error %.6f on the backend vs %.6f on the reference", shape, eGot, eWant));
        }
    }

    @Test
    void rtnPipelineIsBitExact() {
        Random r = random();
        KvShape shape = new KvShape(2, 2, 61, 128);
        float[] x = Fixtures.Block.KEY_LIKE.make(r, shape.slices() * shape.tokens(), 128, BlockQuantConfig.publishedInt2());
        QuantizerConfig cfg = config("rtn", 0, BlockQuantConfig.publishedInt2(), 1);
        QuantizedKv got = quantizer(cfg, backend()).quantize(KvTensor.wrap(shape, x.clone()), KvRole.VALUE);
        QuantizedKv want = quantizer(cfg, reference()).quantize(KvTensor.wrap(shape, x.clone()), KvRole.VALUE);
        Checks.assertSameBlocks(want.blocks(), got.blocks(), "rtn");
        Checks.assertSameFloats(quantizer(cfg, reference()).dequantize(want).data(),
                quantizer(cfg, backend()).dequantize(got).data(), 128, "rtn reconstruction");
    }

    /** KIVI has no clustering: keys (channel-major blocks) and values (token-major) are bit-exact. */
    @Test
    void kiviPipelineIsBitExact() {
        Random r = random();
        KvShape shape = new KvShape(1, 2, 197, 128);
        BlockQuantConfig q = new BlockQuantConfig(2, 64, false, ScalePrecision.BF16);
        QuantizerConfig cfg = QuantizerConfig.builder().method("kivi").backend(backend().name()).quant(q).param("kivi_group_size", String.valueOf(32))
                .param("kivi_residual_tokens", String.valueOf(64)).build();
        for (KvRole role : KvRole.values()) {
            float[] x = Fixtures.Block.KEY_LIKE.make(r, shape.slices() * shape.tokens(), 128, q);
            QuantizedKv got = quantizer(cfg, backend()).quantize(KvTensor.wrap(shape, x.clone()), role);
            QuantizedKv want = quantizer(cfg, reference()).quantize(KvTensor.wrap(shape, x.clone()), role);
            Checks.assertSameBlocks(want.blocks(), got.blocks(), "kivi " + role);
            Checks.assertSameFloats(quantizer(cfg, reference()).dequantize(want).data(),
                    quantizer(cfg, backend()).dequantize(got).data(), 128, "kivi " + role + " reconstruction");
        }
    }

    @Test
    void kmeansRunMatchesReferenceOnSeparatedBlobs() {
        Random r = random();
        Fixtures.KMeansCase k = Fixtures.blobs(r, 3, 127, 64, 10, 2);
        KMeansConfig cfg = new KMeansConfig(10, 20, 0, r.nextLong(), KMeansInit.RANDOM);
        var clusterer = Qvg.clusterers().getAvailable("kmeans").create();
        ClusteringResult got = clusterer.cluster(backend(), k.batch(), k.points(), cfg, k.centroids());
        ClusteringResult want = clusterer.cluster(reference(), k.batch(), k.points(), cfg, k.centroids());
        Checks.assertSameInts(want.ids(), got.ids(), k.batch().tokens(), "k-means ids");
        Checks.assertSameInts(want.iterations(), got.iterations(), 1, "k-means iterations per slice");
        double maxAbs = 0;
        for (float v : k.points()) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        for (int i = 0; i < want.centroids().length; i++) {
            double tol = Tolerances.CENTROID_RELATIVE * Math.max(maxAbs, Math.abs(want.centroids()[i]));
            if (!(Math.abs((double) got.centroids()[i] - want.centroids()[i]) <= tol)) {
                throw new AssertionFailedError("k-means centroid value " + i + ": want " + want.centroids()[i] + ", got "
                        + got.centroids()[i] + " (tolerance " + tol + ")");
            }
        }
    }

    private void assumeQuantSupported(BlockQuantConfig q) {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                q.scalePrecision() != ScalePrecision.FP8_E4M3 || spec().supportsFp8Scales(), "no FP8 scale support");
        org.junit.jupiter.api.Assumptions.assumeTrue(q.symmetric() || spec().supportsAsymmetric(), "no asymmetric support");
    }
}
