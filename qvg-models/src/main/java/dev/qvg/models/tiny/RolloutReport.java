package dev.qvg.models.tiny;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * PSNR of a candidate rollout against a reference rollout, per frame and per chunk (RGB values in
 * [0, 1], so {@code PSNR = -10 log10(MSE)}; identical frames give positive infinity).
 */
public record RolloutReport(TinyModelConfig model, String reference, String candidate, int frames,
                            double[] frameMse, double[] chunkMse, long referenceBytes, long candidateBytes,
                            double referenceBitsPerValue, double candidateBitsPerValue, double referenceSeconds,
                            double candidateSeconds) {

    public RolloutReport {
        frameMse = frameMse.clone();
        chunkMse = chunkMse.clone();
    }

    /** Mean squared error of each frame (a copy). */
    @Override
    public double[] frameMse() {
        return frameMse.clone();
    }

    /** Mean squared error of each chunk (a copy). */
    @Override
    public double[] chunkMse() {
        return chunkMse.clone();
    }

    public int chunks() {
        return chunkMse.length;
    }

    static double psnr(double mse) {
        return mse == 0 ? Double.POSITIVE_INFINITY : -10 * Math.log10(mse);
    }

    /** PSNR of chunk {@code c}. */
    public double chunkPsnr(int c) {
        return psnr(chunkMse[c]);
    }

    public double[] chunkPsnr() {
        double[] p = new double[chunkMse.length];
        for (int c = 0; c < p.length; c++) {
            p[c] = psnr(chunkMse[c]);
        }
        return p;
    }

    /** PSNR of the mean MSE of chunks {@code [from, to)} (a time window, as the original reports). */
    public double psnr(int fromChunk, int toChunk) {
        if (fromChunk < 0 || toChunk > chunkMse.length || fromChunk >= toChunk) {
            throw new IllegalArgumentException("chunk window [" + fromChunk + ", " + toChunk + ") outside 0.."
                    + chunkMse.length);
        }
        double s = 0;
        for (int c = fromChunk; c < toChunk; c++) {
            s += chunkMse[c];
        }
        return psnr(s / (toChunk - fromChunk));
    }

    /** PSNR over every generated chunk (chunk 0, the given frame, excluded when there are others). */
    public double meanPsnr() {
        return chunkMse.length > 1 ? psnr(1, chunkMse.length) : psnr(0, 1);
    }

    /** The curve as text, one line per chunk. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "rollout    %d latent frames, %d chunks of %d frames%n", frames, chunks(),
                model.framesPerChunk()));
        sb.append(String.format(Locale.ROOT, "reference  %s (%.3f bits/value, %d bytes, %.2f s)%n", reference,
                referenceBitsPerValue, referenceBytes, referenceSeconds));
        sb.append(String.format(Locale.ROOT, "candidate  %s (%.3f bits/value, %d bytes, %.2f s)%n", candidate,
                candidateBitsPerValue, candidateBytes, candidateSeconds));
        sb.append(String.format(Locale.ROOT, "mean PSNR  %s dB%n", fmt(meanPsnr())));
        sb.append(String.format(Locale.ROOT, "%6s %10s%n", "chunk", "PSNR dB"));
        for (int c = 0; c < chunks(); c++) {
            sb.append(String.format(Locale.ROOT, "%6d %10s%n", c, fmt(chunkPsnr(c))));
        }
        return sb.toString();
    }

    private static String fmt(double v) {
        return Double.isInfinite(v) ? "inf" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** {@code chunk,psnr_db} lines for plotting ({@code inf} for identical chunks). */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("chunk,psnr_db\n");
        for (int c = 0; c < chunks(); c++) {
            sb.append(c).append(',').append(fmt(chunkPsnr(c))).append('\n');
        }
        return sb.toString();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reference", reference);
        m.put("candidate", candidate);
        m.put("frames", frames);
        m.put("framesPerChunk", model.framesPerChunk());
        m.put("meanPsnrDb", jsonNumber(meanPsnr()));
        List<Object> curve = new ArrayList<>();
        for (double p : chunkPsnr()) {
            curve.add(jsonNumber(p));
        }
        m.put("chunkPsnrDb", curve);
        m.put("referenceBytes", referenceBytes);
        m.put("candidateBytes", candidateBytes);
        m.put("referenceBitsPerValue", referenceBitsPerValue);
        m.put("candidateBitsPerValue", candidateBitsPerValue);
        m.put("referenceSeconds", referenceSeconds);
        m.put("candidateSeconds", candidateSeconds);
        return m;
    }

    /** JSON has no infinity: identical chunks are written as the string "inf". */
    private static Object jsonNumber(double v) {
        return Double.isInfinite(v) ? "inf" : v;
    }

    public String toJson() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toMap());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
