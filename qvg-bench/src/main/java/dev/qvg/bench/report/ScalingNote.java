package dev.qvg.bench.report;

import dev.qvg.models.config.ModelConfig;
import dev.qvg.models.config.ModelConfigs;
import dev.qvg.models.plan.MemoryPlanner;
import dev.qvg.models.plan.PlanReport;
import dev.qvg.models.plan.PlanRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The scaling note: how the cost of compressing and of reading grows with video length (S) and
 * model size, measured, and what it means for a 1-minute and a 10-minute video of each model of
 * qvg-models' planner.
 *
 * <p>The projection, per model and length (from qvg-models' {@link MemoryPlanner}: tokens,
 * complete chunks, quantized spans under the model's published cache policy):
 * <ul>
 *   <li>compression = spans x 2 (K, V) x layers x KV heads x the measured time of one SAS
 *       compression of one head's span, interpolated at the model's span length;</li>
 *   <li>one read of the whole history = 2 x layers x KV heads x history tokens x the measured
 *       quantized cache read per token at the largest S (reading is linear in tokens);</li>
 *   <li>all reads of a rollout, one per generated chunk: the history grows a chunk at a time, so
 *       the tokens read sum to {@code chunkTokens x n (n + 1) / 2} for {@code n} chunks.</li>
 * </ul>
 */
final class ScalingNote {

    static final String COMPRESS = "CompressBenchmark.sasCompress";
    static final String READ = "CacheReadBenchmark.readQuantized";
    static final String DECODE = "BlockCodecBenchmark.decode";
    static final List<Integer> SECONDS = List.of(60, 600);

    private ScalingNote() {
    }

    static String render(Analysis a) {
        StringBuilder md = new StringBuilder("## Scaling note: video length and model size\n\n");
        String backend = pickBackend(a);
        md.append(growth(a, backend));
        if (backend == null) {
            md.append("\nNo compression or read benchmark of a backend is in these results, so there is no per-model "
                    + "projection.\n");
            return md.toString();
        }
        String readKey = hasKey(a, READ, backend) ? READ : DECODE;
        OptionalDouble readPerToken = perTokenAtLargestS(a, readKey, backend);
        md.append("\n### What it means per model (backend `").append(backend).append("`, most threads measured, this machine)\n\n");
        md.append("Model geometry, chunking and cache policy from qvg-models (`ModelConfigs`, `MemoryPlanner`, "
                + "published INT2: PRQ with 1 stage = SAS). Compression uses the measured SAS time of one head's span "
                + "at the model's span length (a power law through the two nearest measured S, extrapolated past the "
                + "largest) at ")
                .append(dev.qvg.bench.BenchShapes.COMPRESS_ITERS)
                .append(" k-means iterations (the published limit is 100 with a tolerance; scale by the iterations a "
                        + "span really uses). Reads use the measured ").append(readKey.equals(READ)
                        ? "streaming-cache read of a quantized history" : "`Backend.decode` (no cache read was measured)")
                .append(" per token at the largest S. Costs are CPU time for one video at batch 1 on this machine; "
                        + "a GPU backend divides them by its speed-up.\n\n");
        md.append("| model | layers x KV heads | span tokens | video | tokens / layer | spans / layer | KV BF16 → INT2 | "
                + "compress all spans | one read of the history | reads over the rollout (1 per chunk) |\n"
                + "|---|---|---:|---|---:|---:|---|---:|---:|---:|\n");
        for (ModelConfig m : ModelConfigs.all()) {
            int spanTokens = m.defaultPolicy().quantFactor() * m.tokensPerChunk();
            OptionalDouble spanSec = a.secondsAt(COMPRESS, backend, spanTokens);
            for (int sec : SECONDS) {
                PlanReport p = MemoryPlanner.plan(PlanRequest.builder(m).seconds(sec).build());
                double heads = 2.0 * m.layers() * m.kvHeads();
                double compress = spanSec.isPresent() ? p.quantizedSpans() * heads * spanSec.getAsDouble() : Double.NaN;
                double oneRead = readPerToken.isPresent() ? heads * p.tokens() * readPerToken.getAsDouble() : Double.NaN;
                double n = p.completeChunks();
                double rolloutTokens = (double) m.tokensPerChunk() * n * (n + 1) / 2;
                double allReads = readPerToken.isPresent() ? heads * rolloutTokens * readPerToken.getAsDouble() : Double.NaN;
                md.append("| ").append(m.displayName()).append(" | ").append(m.layers()).append(" x ").append(m.kvHeads())
                        .append(" | ").append(spanTokens).append(" | ").append(sec / 60).append(" min | ")
                        .append(p.tokens()).append(" | ").append(p.quantizedSpans()).append(" | ")
                        .append(gib(p.bf16BytesTotal())).append(" → ").append(gib(p.quantizedBytesTotal())).append(" | ")
                        .append(withRealTime(compress, sec)).append(" | ").append(Fmt.time(oneRead)).append(" | ")
                        .append(withRealTime(allReads, sec)).append(" |\n");
            }
        }
        md.append("\n(N× real time = compute time over the video's duration; above 1× this machine cannot keep up "
                + "with generation.) The reads column counts one pass over the history per chunk and layer; a sampler "
                + "that re-reads the cache at every denoising step multiplies it by its step count.\n");
        return md.toString();
    }

    /** The measured growth laws, with their exponents. */
    static String growth(Analysis a, String backend) {
        StringBuilder md = new StringBuilder();
        md.append("- **Compression** runs once per span, when the span's last chunk completes. One span costs "
                + "k-means iterations x S x K x D per head");
        appendExponent(md, a, COMPRESS, backend);
        md.append(". At a fixed span length the number of spans grows linearly with video length, so compressing a "
                + "whole video is linear in its length.\n");
        md.append("- **Reading**: every new chunk reads the whole visible history in every layer, K and V, so one "
                + "read is linear in the history");
        appendExponent(md, a, hasKey(a, READ, backend) ? READ : DECODE, backend);
        md.append(", and the reads of a whole rollout grow with the square of the video length.\n");
        md.append("- **Model size**: heads are independent slices and D = 128 for all four models, so both costs are "
                + "proportional to layers x KV heads (and to the span length through the exponent above).\n");
        return md.toString();
    }

    private static void appendExponent(StringBuilder md, Analysis a, String key, String backend) {
        if (backend == null) {
            return;
        }
        for (Map<Integer, Figure> g : a.byS().values()) {
            Figure first = g.values().iterator().next();
            if (!first.spec().key().equals(key) || !first.backend().equals(backend) || g.size() < 2) {
                continue;
            }
            List<Figure> fs = List.copyOf(g.values());
            Figure lo = fs.get(0), hi = fs.get(fs.size() - 1);
            md.append(String.format(Locale.ROOT, " (measured: time ~ S^%.2f from S=%d to %d at %d thread%s)",
                    Analysis.exponent(lo, hi), lo.s(), hi.s(), lo.threads(), lo.threads() == 1 ? "" : "s"));
            return;
        }
    }

    private static String pickBackend(Analysis a) {
        for (String key : List.of(COMPRESS, READ, DECODE)) {
            for (Figure f : a.figures()) {
                if (f.spec().key().equals(key)) {
                    return f.backend();
                }
            }
        }
        return null;
    }

    private static boolean hasKey(Analysis a, String key, String backend) {
        return a.figures().stream().anyMatch(f -> f.spec().key().equals(key) && f.backend().equals(backend));
    }

    /** Seconds per token of {@code key} at its largest measured S and most threads there. */
    static OptionalDouble perTokenAtLargestS(Analysis a, String key, String backend) {
        Figure best = null;
        for (Figure f : a.figures()) {
            if (!f.spec().key().equals(key) || !f.backend().equals(backend)) {
                continue;
            }
            if (best == null || f.s() > best.s() || (f.s() == best.s() && f.threads() > best.threads())) {
                best = f;
            }
        }
        return best == null ? OptionalDouble.empty() : OptionalDouble.of(best.seconds() / best.s());
    }

    private static String withRealTime(double seconds, int videoSeconds) {
        if (!Double.isFinite(seconds)) {
            return "n/a";
        }
        double ratio = seconds / videoSeconds;
        return Fmt.time(seconds) + String.format(Locale.ROOT, ratio >= 10 ? " (%.0f× real time)" : " (%.2f× real time)",
                ratio);
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
