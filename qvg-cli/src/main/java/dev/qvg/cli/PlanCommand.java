package dev.qvg.cli;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.registry.Qvg;
import dev.qvg.cli.eval.OpenPipeline;
import dev.qvg.cli.eval.Suite;
import dev.qvg.cli.util.ExitCodes;
import dev.qvg.models.config.ModelConfig;
import dev.qvg.models.config.ModelConfigs;
import dev.qvg.models.config.ModelSpec;
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
        footer = {"", "Models: longcat-video, self-forcing, hy-worldplay, lingbot-world; any other by its numbers",
            "(--layers, --kv-heads, --head-dim, --tokens-per-frame, --frames-per-chunk) or a JSON --model-file",
            "with those fields (layers, kvHeads, headDim, tokensPerLatentFrame, framesPerChunk, fps, temporalStride,",
            "weightsGiB, name); numbers given override --model's.", "Examples:",
            "  qvg plan --model self-forcing", "  qvg plan --model hy-worldplay --seconds 60 --gpu-memory-gib 24",
            "  qvg plan --model lingbot-world --bits 4 --sink-chunks 1 --format json",
            "  qvg plan --layers 40 --kv-heads 40 --head-dim 128 --tokens-per-frame 1560 --frames-per-chunk 3 --seconds 30"})
public final class PlanCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME", description = "A built-in model (case-insensitive).")
    String model;

    @Option(names = "--model-file", paramLabel = "FILE", description = "A JSON description of the model (see below).")
    java.nio.file.Path modelFile;

    @Option(names = "--layers", paramLabel = "N", description = "Transformer layers (each with its own K and V cache).")
    Integer layers;

    @Option(names = "--kv-heads", paramLabel = "N", description = "Key/value heads per layer.")
    Integer kvHeads;

    @Option(names = "--head-dim", paramLabel = "N", description = "Values per head and token.")
    Integer headDim;

    @Option(names = "--tokens-per-frame", paramLabel = "N", description = "Tokens of one latent frame.")
    Integer tokensPerFrame;

    @Option(names = "--frames-per-chunk", paramLabel = "N", description = "Latent frames generated per AR step.")
    Integer framesPerChunk;

    @Option(names = "--fps", paramLabel = "F", description = "Video frames per second (described models: default 16).")
    Double fps;

    @Option(names = "--temporal-stride", paramLabel = "N",
            description = "Video frames per latent frame after the first (described models: default 4).")
    Integer temporalStride;

    @Option(names = "--weights-gib", paramLabel = "G", description = "GiB of the model's weights on the GPU (default 0 when described).")
    Double weightsGiB;

    @Option(names = "--frames", paramLabel = "N", description = "Latent frames (default: the model's published cache length).")
    Long frames;

    @Option(names = "--seconds", paramLabel = "S", description = "Seconds of video, instead of --frames.")
    Double seconds;

    @Option(names = {"-m", "--method"}, paramLabel = "M",
            description = "Method (default: the highest-ranked on the class path, prq; or QVG_METHOD).")
    String method;

    @Option(names = {"-b", "--bits"}, paramLabel = "N", description = "Code bits (default: ${DEFAULT-VALUE}).")
    int bits = 2;

    @Option(names = "--stages", paramLabel = "S", description = "Smoothing stages, for methods whose stage count is a setting (default: ${DEFAULT-VALUE}).")
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

    /** The built-in model, the described one, or the built-in one with described numbers over it. */
    private ModelConfig model() {
        ModelConfig base = model == null ? null : ModelConfigs.byName(model);
        ModelSpec flags = new ModelSpec(null, layers, kvHeads, headDim, tokensPerFrame, framesPerChunk, fps,
                temporalStride, weightsGiB);
        ModelSpec spec = modelFile == null ? flags : flags.over(ModelSpec.read(modelFile));
        if (base == null && modelFile == null && !spec.describesAnything()) {
            throw new IllegalArgumentException("name a model: --model NAME (" + String.join(", ", ModelConfigs.names())
                    + "), a --model-file, or its numbers (--layers, --kv-heads, --head-dim, --tokens-per-frame, --frames-per-chunk)");
        }
        return spec.describesAnything() || modelFile != null ? spec.resolve(base) : base;
    }

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
            ModelConfig m = model();
            if (frames == null && seconds == null && model == null) {
                throw new IllegalArgumentException("a described model has no published cache length: give --frames or --seconds");
            }
            config = quant.suite(spec, method == null ? null : List.of(method), List.of(bits), List.of(stages)).get(0);
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
        if (BudgetFormula.supports(config)) {
            report = quant.splitsKv()
                    ? MemoryPlanner.plan(request, BudgetSource.byRole(
                            new BudgetFormula(quant.forRole(spec, config, dev.qvg.api.tensor.KvRole.KEY)),
                            new BudgetFormula(quant.forRole(spec, config, dev.qvg.api.tensor.KvRole.VALUE))))
                    : MemoryPlanner.plan(request);
        } else {
            // a plug-in method: its own quantizer does the accounting
            quant.refuseKvSplit(spec, "plan of a method without a budget formula");
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
