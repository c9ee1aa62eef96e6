package dev.qvg.all;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.inject.Pipelines;

/**
 * Run by {@link DefaultPipelineTest} in a class loader without qvg-smoothing (the user
 * who took qvg-residual and qvg-cpu): what building a pipeline says. Returns, per attempt, the
 * exception's class name and message, or "ok".
 */
public final class MissingPartProbe {

    private MissingPartProbe() {
    }

    public static String[] run() {
        return new String[] {
            attempt(() -> {
                // the clusterer left to the registry's default, as the README's example does
                QuantizerConfig.builder().method("prq").stages(2).backend("cpu").build();
            }),
            attempt(() -> {
                QuantizerConfig cfg = QuantizerConfig.builder().method("prq").stages(2).backend("cpu")
                        .clusterer("kmeans").smoother("sas").build();
                try (Quantizer q = Pipelines.quantizer(cfg)) {
                    q.config();
                }
            }),
        };
    }

    private static String attempt(Runnable r) {
        try {
            r.run();
            return "ok";
        } catch (RuntimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }
}
