package dev.qvg.cli;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.registry.Qvg;
import dev.qvg.cli.eval.OpenPipeline;
import dev.qvg.cli.eval.Suite;
import dev.qvg.cli.util.ExitCodes;
import dev.qvg.models.config.ModelConfig;
import dev.qvg.models.config.ModelConfigs;
import dev.qvg.models.plan.BudgetFormula;
import dev.qvg.models.plan.BudgetSource;
import dev.qvg.models.plan.MemoryPlanner;
import dev.qvg.models.plan.PlanReport;
import dev.qvg.models.plan.PlanRequest;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code qvg plan}: KV-cache memory of a published model at a given video length, BF16 against
 * quantized, per component, and the longest video that fits a GPU beside the weights (qvg-models'
 * {@link MemoryPlanner}). Nothing is quantized: the accounting is exact arithmetic.
 */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        description = "KV-cache memory of a model's video generation, BF16 vs quantized, and what fits in a GPU.",
        footer = {"", "Models: longcat-video, self-forcing, hy-worldplay, lingbot-world.", "Examples:",
            "  qvg plan --model self-forcing", "  qvg plan --model hy-worldplay --seconds 60 --gpu-memory-gib 24",
            "  qvg plan --model lingbot-world --bits 4 --sink-chunks 1 --format json"})
public final class PlanCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "The model (case-insensitive).")
    String model;

    @Option(names = "--frames", paramLabel = "N", description = "Latent frames (default: the model's published cache length).")
    Long frames;

    @Option(names = "--seconds", paramLabel = "S", description = "Seconds of video, instead of --frames.")
    Double seconds;

    @Option(names = {"-m", "--method"}, paramLabel = "M", description = "Method (default: ${DEFAULT-VALUE}).")
    String method = "prq";

    @Option(names = {"-b", "--bits"}, paramLabel = "N", description = "Code bits (default: ${DEFAULT-VALUE}).")
    int bits = 2;

    @Option(names = "--stages", paramLabel = "S", description = "PRQ stages (default: ${DEFAULT-VALUE}).")
    int stages = 1;

    @Mixin
    QuantOptions quant = new QuantOptions();

    @Option(names = "--sink-chunks", paramLabel = "N", description = "Leading chunks never quantized (default: the model's policy).")
    Integer sinkChunks;

    @Option(names = "--recent-chunks", paramLabel = "N", description = "Newest completed chunks kept BF16 (default: the model's policy).")
    Integer recentChunks;

    @Option(names = "--quant-factor", paramLabel = "N", description = "Chunks quantized together as one span (default: the model's policy).")
    Integer quantFactor;

    @Option(names = "--gpu-memory-gib", paramLabel = "G", description = "GPU memory: report the longest video that fits beside the weights.")
    Double gpuMemoryGiB;

    @Option(names = "--format", paramLabel = "table|json", description = "Output format (default: ${DEFAULT-VALUE}).")
    String format = "table";

    @Override
    public Integer call() {
        boolean json = switch (format.toLowerCase(Locale.ROOT)) {
            case "table" -> false;
            case "json" -> true;
            default -> throw new ParameterException(spec.commandLine(), "--format: unknown value '" + format
                    + "', expected table or json");
        };
        QuantizerConfig config;
        PlanRequest request;
        try {
            ModelConfig m = ModelConfigs.byName(model);
            QuantizerConfig base = quant.base(spec);
            config = Suite.of(base, List.of(method), List.of(bits), List.of(stages)).get(0);
            PlanRequest.Builder b = PlanRequest.builder(m).quantizer(config);
            if (frames != null) {
                b.frames(frames);
            }
            if (seconds != null) {
                b.seconds(seconds);
            }
            if (sinkChunks != null) {
                b.sinkChunks(sinkChunks);
            }
            if (recentChunks != null) {
                b.recentChunks(recentChunks);
            }
            if (quantFactor != null) {
                b.quantFactor(quantFactor);
            }
            if (gpuMemoryGiB != null) {
                b.gpuMemoryGiB(gpuMemoryGiB);
            }
            request = b.build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        PlanReport report;
        if (BudgetFormula.supports(config.method())) {
            report = MemoryPlanner.plan(request);
        } else {
            // a plug-in method: its own quantizer does the accounting
            QuantOptions.checkProviders(spec, List.of(config.method()), config.backend());
            if (!Qvg.quantizers().contains(config.method())) {
                throw new ParameterException(spec.commandLine(), "unknown method '" + config.method() + "'");
            }
            try (OpenPipeline p = OpenPipeline.open(config)) {
                report = MemoryPlanner.plan(request, BudgetSource.of(p.quantizer()));
            }
        }
        spec.commandLine().getOut().print(json ? report.toJson() + "\n" : report.toTable());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
