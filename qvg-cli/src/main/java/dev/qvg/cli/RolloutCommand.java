package dev.qvg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.cli.eval.MethodLabels;
import dev.qvg.cli.eval.Suite;
import dev.qvg.cli.rollout.FrameImages;
import dev.qvg.cli.rollout.PsnrPlot;
import dev.qvg.cli.util.ExitCodes;
import dev.qvg.cli.util.Progress;
import dev.qvg.cli.util.SafeOutput;
import dev.qvg.models.cache.CachePolicy;
import dev.qvg.models.tiny.Rollout;
import dev.qvg.models.tiny.RolloutArm;
import dev.qvg.models.tiny.RolloutReport;
import dev.qvg.models.tiny.RolloutResult;
import dev.qvg.models.tiny.TinyModelConfig;
import dev.qvg.models.tiny.TinyVideoModel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code qvg rollout}: generates a latent video with qvg-models' tiny auto-regressive model once
 * with a BF16 KV cache and once per method with a quantized cache, and reports the PSNR of each
 * quantized rollout's decoded frames against the BF16 one, per chunk, with a plot; optionally
 * the frames as PNG or animated GIF, and the same run on a second backend.
 */
@Command(name = "rollout", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Roll out the tiny AR video model with a BF16 and with quantized KV caches; PSNR per chunk.",
            "Shows error accumulation over time, the value of a BF16 sink chunk, and the methods at equal bits."},
        footer = {"", "Examples:", "  qvg rollout", "  qvg rollout --frames 256 --sink-chunks 1",
            "  qvg rollout --method prq --backend cpu --compare example --gif"})
public final class RolloutCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    QvgCommand root;

    @Option(names = "--model", paramLabel = "NAME", description = "The model: tiny (default: ${DEFAULT-VALUE}).")
    String model = "tiny";

    @Option(names = "--model-seed", paramLabel = "N", description = "Seed of the model's weights and first frame (default: the model's).")
    Long modelSeed;

    @Option(names = "--frames", paramLabel = "N", description = "Latent frames to generate (default: ${DEFAULT-VALUE}).")
    int frames = 128;

    @Option(names = {"-m", "--method"}, split = ",", paramLabel = "M", description = "Methods (default: ${DEFAULT-VALUE}).")
    List<String> methods = new ArrayList<>(Suite.defaultMethods());

    @Option(names = {"-b", "--bits"}, paramLabel = "N", description = "Code bits (default: ${DEFAULT-VALUE}).")
    int bits = 2;

    @Option(names = "--stages", split = ",", paramLabel = "S",
            description = "PRQ stage counts (default: 2, so PRQ is not the same as SAS's one stage).")
    List<Integer> stages = new ArrayList<>(List.of(2));

    @Mixin
    QuantOptions quant = new QuantOptions();

    /** The backend the run uses (given, or the registry's default). */
    private String resolvedBackend;

    @Option(names = "--sink-chunks", paramLabel = "N", description = "Leading chunks never quantized (default: 0).")
    Integer sinkChunks;

    @Option(names = "--recent-chunks", paramLabel = "N", description = "Newest completed chunks kept BF16 (default: 0).")
    Integer recentChunks;

    @Option(names = "--quant-factor", paramLabel = "N", description = "Chunks quantized together as one span (default: 8).")
    Integer quantFactor;

    @Option(names = "--compare", paramLabel = "BACKEND",
            description = "Also roll out every method on this backend and report how far its video is from the first backend's.")
    String compare;

    @Option(names = "--format", paramLabel = "table|json", description = "Output format (default: ${DEFAULT-VALUE}).")
    String format = "table";

    @Option(names = {"-o", "--output", "--out"}, paramLabel = "DIR", description = "Directory of the plot and frames (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("qvg-out");

    @Option(names = "--no-plot", description = "Do not write the PSNR plot.")
    boolean noPlot;

    @Option(names = "--save-frames", description = "Write every decoded frame of every rollout as PNG under DIR/frames/.")
    boolean saveFrames;

    @Option(names = "--gif", description = "Write each rollout as an animated GIF in DIR.")
    boolean gif;

    /**
     * The plot (and frame) files in the output folder are this command's own, named by it: a rerun
     * rewrites them (never a device, link, folder or an input, see SafeOutput). {@code --force} is
     * kept for old scripts and changes nothing.
     */
    @Option(names = "--force", description = "Accepted for compatibility: the files this command names in its output folder are always rewritten.")
    boolean force;

    /** Own files in the output folder are rewritten freely. */
    private static final boolean REWRITE_OWN_FILES = true;

    /**
     * Clusters per stage unless {@code --clusters} is given: the tiny model quantizes spans of 8
     * chunks x 72 tokens, where the published 256 bf16 centroids of 64 values would cost 7 bits per
     * value (more than the codes); 32 cost 0.9.
     */
    static final int DEFAULT_CLUSTERS = 32;

    /** Decoded frames are enlarged this much in images (the tiny model's frames are 24 pixels wide). */
    private static final int IMAGE_SCALE = 8;

    @Override
    public Integer call() throws Exception {
        boolean json = switch (format.toLowerCase(Locale.ROOT)) {
            case "table" -> false;
            case "json" -> true;
            default -> throw new ParameterException(spec.commandLine(), "--format: unknown value '" + format
                    + "', expected table or json");
        };
        if (!model.equalsIgnoreCase("tiny")) {
            throw new ParameterException(spec.commandLine(), "--model: unknown model '" + model
                    + "'; rollouts run the built-in model: tiny");
        }
        try {
            TinyModelConfig.defaults().checkFrames(frames);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        if (!spec.commandLine().getParseResult().hasMatchedOption("--clusters")) {
            quant.clusters = DEFAULT_CLUSTERS;
        }
        quant.refuseKvSplit(spec, "rollout");
        List<QuantizerConfig> configs = quant.suite(spec, methods, List.of(bits), stages);
        resolvedBackend = configs.get(0).backend();
        if (compare != null) {
            QuantOptions.checkProviders(spec, List.of(), compare);
        }
        CachePolicy policy;
        TinyModelConfig mc;
        try {
            policy = CachePolicy.reference();
            if (quantFactor != null) {
                policy = policy.withQuantFactor(quantFactor);
            }
            if (recentChunks != null) {
                policy = policy.withKeepRecentChunks(recentChunks);
            }
            if (sinkChunks != null) {
                policy = policy.withSinkChunks(sinkChunks);
            }
            mc = modelSeed == null ? TinyModelConfig.defaults() : TinyModelConfig.defaults().withSeed(modelSeed);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Path png = out.resolve("rollout-psnr.png");
        Path svg = out.resolve("rollout-psnr.svg");
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new dev.qvg.cli.util.BadInputException("--out " + out + " is a file, expected a directory");
        }
        if (!noPlot) {
            SafeOutput.checkWritable(png, REWRITE_OWN_FILES);
            SafeOutput.checkWritable(svg, REWRITE_OWN_FILES);
        }

        TinyVideoModel tiny = new TinyVideoModel(mc);
        long cacheSeed = configs.get(0).kmeans().seed();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter notes = json ? spec.commandLine().getErr() : stdout;
        Map<String, RolloutResult> results = new LinkedHashMap<>();
        Map<String, RolloutReport> reports = new LinkedHashMap<>();
        Map<String, RolloutReport> backendDiffs = new LinkedHashMap<>();
        RolloutResult reference;
        try (Progress progress = Progress.forTerminal(spec.commandLine().getErr(), root != null && root.quiet())) {
            progress.start("rollout", 1 + configs.size() * (compare == null ? 1 : 2));
            progress.working("bf16");
            reference = Rollout.run(tiny, frames, RolloutArm.bf16(), cacheSeed);
            results.put("bf16", reference);
            progress.step("bf16");
            for (QuantizerConfig c : configs) {
                String label = MethodLabels.of(c);
                progress.working(label);
                RolloutResult r = Rollout.run(tiny, frames, RolloutArm.of(c, policy), cacheSeed);
                results.put(label, r);
                reports.put(label, Rollout.compare(tiny, reference, r));
                progress.step(label);
                if (compare != null) {
                    progress.working(label + " on " + compare);
                    RolloutResult other = Rollout.run(tiny, frames,
                            RolloutArm.of(c.toBuilder().backend(compare).build(), policy), cacheSeed);
                    backendDiffs.put(label, Rollout.compare(tiny, r, other));
                    progress.step(label + " on " + compare);
                }
            }
        }

        if (json) {
            stdout.println(toJson(mc, policy, reports, backendDiffs));
        } else {
            printTable(stdout, mc, policy, reference, reports, backendDiffs);
        }
        stdout.flush();
        if (!noPlot) {
            Map<String, double[]> curves = new LinkedHashMap<>();
            reports.forEach((k, r) -> curves.put(k, r.chunkPsnr()));
            PsnrPlot plot = PsnrPlot.of(curves, String.format(Locale.ROOT, "tiny AR model, %d latent frames, int%d, K=%d, %s",
                    frames, bits, quant.clusters, policy.label()));
            byte[] p = plot.png();
            byte[] s = plot.svg();
            SafeOutput.write(png, REWRITE_OWN_FILES, t -> Files.write(t, p));
            SafeOutput.write(svg, REWRITE_OWN_FILES, t -> Files.write(t, s));
            notes.println("plot: " + png + ", " + svg);
        }
        if (saveFrames || gif) {
            writeFrames(results, notes);
        }
        notes.flush();
        return ExitCodes.OK;
    }

    private void writeFrames(Map<String, RolloutResult> results, PrintWriter notes) throws java.io.IOException {
        for (Map.Entry<String, RolloutResult> e : results.entrySet()) {
            String name = e.getKey().replaceAll("[^A-Za-z0-9]+", "-").replaceAll("-$", "");
            List<float[]> rgb = e.getValue().rgb();
            if (saveFrames) {
                Path dir = out.resolve("frames").resolve(name);
                for (int i = 0; i < rgb.size(); i++) {
                    byte[] b = FrameImages.png(rgb.get(i), IMAGE_SCALE);
                    SafeOutput.write(dir.resolve(String.format(Locale.ROOT, "frame-%04d.png", i)), REWRITE_OWN_FILES,
                            t -> Files.write(t, b));
                }
                notes.println("frames: " + dir + " (" + rgb.size() + " PNG)");
            }
            if (gif) {
                byte[] g = FrameImages.gif(rgb, IMAGE_SCALE, 16);
                Path f = out.resolve("rollout-" + name + ".gif");
                SafeOutput.write(f, REWRITE_OWN_FILES, t -> Files.write(t, g));
                notes.println("animation: " + f);
            }
        }
    }

    private void printTable(PrintWriter o, TinyModelConfig mc, CachePolicy policy, RolloutResult reference,
                            Map<String, RolloutReport> reports, Map<String, RolloutReport> diffs) {
        o.printf(Locale.ROOT, "tiny AR video model: %d layers, %d heads x %d, %dx%d tokens a frame, %d frames a chunk, seed %d%n",
                mc.layers(), mc.heads(), mc.headDim(), mc.grid(), mc.grid(), mc.framesPerChunk(), mc.seed());
        o.printf(Locale.ROOT, "%d latent frames; cache policy %s; int%d, %d clusters, on backend %s%n", frames,
                policy.label(), bits, quant.clusters, resolvedBackend);
        o.printf(Locale.ROOT, "%-10s %10s %12s %10s %10s%s%n", "method", "bits/value", "cache bytes", "mean PSNR",
                "last PSNR", diffs.isEmpty() ? "" : String.format(Locale.ROOT, "  %s", "PSNR vs " + compare));
        o.printf(Locale.ROOT, "%-10s %10.3f %12d %10s %10s%n", "bf16", reference.bitsPerValue(), reference.cacheBytes(),
                "inf", "inf");
        for (Map.Entry<String, RolloutReport> e : reports.entrySet()) {
            RolloutReport r = e.getValue();
            RolloutReport d = diffs.get(e.getKey());
            o.printf(Locale.ROOT, "%-10s %10.3f %12d %10s %10s%s%n", e.getKey(), r.candidateBitsPerValue(),
                    r.candidateBytes(), db(r.meanPsnr()), db(r.chunkPsnr(r.chunks() - 1)),
                    d == null ? "" : String.format(Locale.ROOT, "  %s", d.meanPsnr() == Double.POSITIVE_INFINITY
                            ? "inf (identical)" : db(d.meanPsnr())));
        }
        o.println();
        o.println("PSNR (dB) of each chunk against the BF16 rollout:");
        StringBuilder h = new StringBuilder(String.format(Locale.ROOT, "%6s", "chunk"));
        reports.keySet().forEach(k -> h.append(String.format(Locale.ROOT, " %9s", k)));
        o.println(h);
        int chunks = reports.values().iterator().next().chunks();
        for (int c = 0; c < chunks; c++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%6d", c));
            for (RolloutReport r : reports.values()) {
                row.append(String.format(Locale.ROOT, " %9s", db(r.chunkPsnr(c))));
            }
            o.println(row);
        }
    }

    private static String db(double v) {
        return Double.isInfinite(v) ? "inf" : String.format(Locale.ROOT, "%.2f", v);
    }

    private String toJson(TinyModelConfig mc, CachePolicy policy, Map<String, RolloutReport> reports,
                          Map<String, RolloutReport> diffs) throws com.fasterxml.jackson.core.JsonProcessingException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema_version", dev.qvg.models.plan.PlanReport.SCHEMA_VERSION);
        doc.put("model", "tiny");
        doc.put("modelSeed", mc.seed());
        doc.put("frames", frames);
        doc.put("policy", policy.label());
        doc.put("bits", bits);
        doc.put("clusters", quant.clusters);
        doc.put("backend", resolvedBackend);
        List<Object> arms = new ArrayList<>();
        for (Map.Entry<String, RolloutReport> e : reports.entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>(e.getValue().toMap());
            m.put("method", e.getKey());
            RolloutReport d = diffs.get(e.getKey());
            if (d != null) {
                m.put("compare", Map.of("backend", compare, "meanPsnrDb",
                        Double.isInfinite(d.meanPsnr()) ? "inf" : (Object) d.meanPsnr()));
            }
            arms.add(m);
        }
        doc.put("rollouts", arms);
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(dev.qvg.cli.util.SnakeCaseKeys.of(doc));
    }
}
