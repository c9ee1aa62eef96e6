package dev.qvg.cli;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.config.ScalePrecision;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.registry.Methods;
import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.CoreSetting;
import dev.qvg.api.spi.QuantizerProvider;
import dev.qvg.api.tensor.Fp8E4M3;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.cli.eval.TensorSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Settings that defeat their own purpose, found before the long part of a run: refused (exit 2,
 * one line with the fix) when the result cannot be smaller than the input, warned about when the
 * data look misread or out of a format's range. Measured causes: 8192 clusters on 4096-token
 * slices ran 158 s to write twice the input; 5000 clusters gave 21.9 bits per value; BSHD data
 * read as BHSD gave 4096 heads of 2 tokens and a 0.01x "compression"; FP8 scales lose everything
 * outside its range.
 */
final class SettingGuards {

    /** FP8 E4M3's smallest positive value (a subnormal): smaller scales round to zero. */
    private static final double FP8_MIN_SUBNORMAL = 0x1p-9;

    /** The option that lets a run go ahead although it cannot compress (to study such settings). */
    static final String OVERRIDE = "--allow-no-compression";

    private SettingGuards() {
    }

    /**
     * @param configsFor the configurations each tensor will be quantized with (nulls skipped)
     * @param allow      whether {@link #OVERRIDE} was given
     * @param warn       where warnings go (one line each)
     */
    static void check(CommandSpec spec, List<TensorSource> tensors,
                      Function<TensorSource, List<QuantizerConfig>> configsFor, boolean allow, PrintWriter warn)
            throws IOException {
        Set<String> warned = new HashSet<>();
        for (TensorSource t : tensors) {
            KvShape s = t.shape();
            if (s.tokens() < s.heads() && warned.add("layout " + t.name())) {
                warn.println(String.format(Locale.ROOT, "warning: '%s' reads as %d heads of %d tokens each; a KV cache"
                        + " has far more tokens than heads: if the file is [B, S, H, D], pass --layout bshd",
                        t.name(), s.heads(), s.tokens()));
            }
            double absMax = Double.NaN; // read once per tensor, only when some configuration has FP8 scales
            for (QuantizerConfig c : configsFor.apply(t)) {
                if (c == null || !Qvg.quantizers().contains(c.method())) {
                    continue;
                }
                QuantizerProvider p = Methods.of(c);
                if (!allow) {
                    refuseUselessClusters(spec, t, c, p);
                    refuseExpansion(spec, t, c, p);
                }
                keptWhole(t, c, p).filter(w -> warned.add(w)).ifPresent(warn::println);
                if (c.quant().scalePrecision() == ScalePrecision.FP8_E4M3 && warned.add("fp8 " + t.name() + " "
                        + c.quant().bits())) {
                    if (Double.isNaN(absMax)) {
                        absMax = absMax(t);
                    }
                    fp8Range(t.name(), absMax, c).ifPresent(warn::println);
                }
            }
        }
        warn.flush();
    }

    private static void refuseUselessClusters(CommandSpec spec, TensorSource t, QuantizerConfig c, QuantizerProvider p) {
        int K = c.kmeans().clusters(), S = t.shape().tokens();
        if (p.settings().contains(CoreSetting.KMEANS) && c.stages() > 0 && K >= S) {
            throw new ParameterException(spec.commandLine(), String.format(Locale.ROOT,
                    "--clusters %d: not fewer than the %d tokens of each (batch, head) slice of '%s', so every token"
                            + " gets its own centroid and the centroids cost more than the tokens; use at most %d"
                            + " (tokens / 8), or pass %s to run it anyway", K, S, t.name(), Math.max(1, S / 8),
                    OVERRIDE));
        }
    }

    private static void refuseExpansion(CommandSpec spec, TensorSource t, QuantizerConfig c, QuantizerProvider p) {
        Optional<BitBudget> b;
        try {
            b = p.budget(c, t.shape(), t.role());
        } catch (IllegalArgumentException e) {
            return; // a shape the method refuses: the run itself says so, naming the parameter
        }
        if (b.isPresent() && b.get().fullPrecisionBits() == b.get().totalBits()) {
            return; // nothing quantized (a recent-token window covering the tensor): the method's design, warned below
        }
        if (b.isPresent() && b.get().bitsPerValue() >= 16) {
            throw new ParameterException(spec.commandLine(), String.format(Locale.ROOT,
                    "%s on '%s' %s would store %.2f bits per value, no fewer than BF16's 16: it cannot compress;"
                            + " lower --bits, --clusters or --stages, or pass %s to run it anyway",
                    p.shortLabel(c), t.name(), t.shape(), b.get().bitsPerValue(), OVERRIDE));
        }
    }

    /** A warning when the method keeps the whole tensor in BF16 (its recent-token window covers it). */
    private static Optional<String> keptWhole(TensorSource t, QuantizerConfig c, QuantizerProvider p) {
        try {
            return p.budget(c, t.shape(), t.role()).filter(b -> b.fullPrecisionBits() == b.totalBits())
                    .map(b -> "warning: " + p.shortLabel(c) + " keeps all of '" + t.name() + "' in BF16 (its window of"
                            + " recent tokens covers the " + t.shape().tokens() + " tokens): nothing is quantized");
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * A warning when the tensor's block scales (largest |x| of a block over the largest code) fall
     * outside what FP8 E4M3 holds: above its largest finite value they saturate, below its
     * smallest subnormal they become zero; {@code max} is the tensor's largest |x|.
     */
    private static Optional<String> fp8Range(String name, double max, QuantizerConfig c) {
        int bits = c.quant().bits();
        double qmax = c.quant().symmetric() ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
        double scale = max / Math.max(1, qmax);
        if (max > 0 && scale > Fp8E4M3.MAX) {
            return Optional.of(String.format(Locale.ROOT, "warning: '%s' reaches |x| = %.3g: its FP8 scales (up to %.3g)"
                    + " saturate above %.0f and the error explodes; use --scale bf16", name, max, scale,
                    Fp8E4M3.MAX));
        }
        if (max > 0 && scale < FP8_MIN_SUBNORMAL) {
            return Optional.of(String.format(Locale.ROOT, "warning: '%s' has |x| at most %.3g: its FP8 scales (at most"
                    + " %.3g) are below FP8's smallest value %.3g and become zero; use --scale bf16", name, max,
                    scale, FP8_MIN_SUBNORMAL));
        }
        return Optional.empty();
    }

    /** The tensor's largest |x|, read a slice at a time. */
    private static double absMax(TensorSource t) throws IOException {
        KvShape s = t.shape();
        double max = 0;
        float[] slice = new float[s.sliceSize()];
        for (int i = 0; i < s.slices(); i++) {
            t.slices().read(i, 1, slice);
            for (float v : slice) {
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }
}
