package dev.qvg.cli.eval;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.registry.Methods;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.models.config.ModelConfig;
import dev.qvg.models.config.ModelConfigs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the evaluated configurations would store on the spans the models really quantize: the
 * centroid share of the storage falls with the span's tokens (256 BF16 centroids of 128 cost 1
 * bit per value on 4096 tokens, about 0.14 on LongCat-Video's 29,640), so a short test tensor
 * makes clustering methods look dearer than they are. Exact, from each method's budget formula
 * (as {@code qvg plan} counts), keys and values averaged.
 */
public final class ModelSpanBudgets {

    private ModelSpanBudgets() {
    }

    /** The table's lines, or none when no configuration publishes a budget formula. */
    public static List<String> lines(List<EvalResult> results) {
        Map<String, QuantizerConfig> configs = new LinkedHashMap<>();
        for (EvalResult r : results) {
            configs.putIfAbsent(r.methodLabel() + " int" + r.config().quant().bits(), r.config());
        }
        List<ModelConfig> models = ModelConfigs.all();
        int w = Math.max(16, configs.keySet().stream().mapToInt(String::length).max().orElse(0));
        String first = "  %-" + w + "s";
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, first, "configuration"));
        for (ModelConfig m : models) {
            head.append(String.format(Locale.ROOT, " %22s", m.name() + " S=" + span(m)));
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, QuantizerConfig> e : configs.entrySet()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, first, e.getKey()));
            boolean any = false;
            for (ModelConfig m : models) {
                Optional<Double> bpv = bitsPerValue(e.getValue(), new KvShape(1, 1, span(m), m.headDim()));
                row.append(bpv.map(b -> String.format(Locale.ROOT, " %22.3f", b)).orElse(String.format(" %22s", "-")));
                any |= bpv.isPresent();
            }
            if (any) {
                out.add(row.toString());
            }
        }
        if (out.isEmpty()) {
            return List.of();
        }
        out.add(0, head.toString());
        out.add(0, "bits per value at the models' quantized spans (exact, as qvg plan counts; K and V averaged):");
        return out;
    }

    /** Tokens of one quantized span of {@code m} under its published cache policy. */
    static int span(ModelConfig m) {
        return m.defaultPolicy().quantFactor() * m.tokensPerChunk();
    }

    private static Optional<Double> bitsPerValue(QuantizerConfig c, KvShape shape) {
        if (!Qvg.quantizers().contains(c.method())) {
            return Optional.empty();
        }
        try {
            Optional<BitBudget> k = Methods.of(c).budget(c, shape, KvRole.KEY);
            Optional<BitBudget> v = Methods.of(c).budget(c, shape, KvRole.VALUE);
            return k.isPresent() && v.isPresent() ? Optional.of(k.get().plus(v.get()).bitsPerValue()) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // the model's head dim does not suit this configuration
        }
    }
}
