package dev.qvg.models.tiny;

import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.models.attention.Attention;
import dev.qvg.models.attention.AttentionMask;
import dev.qvg.models.cache.ModelKvCache;
import dev.qvg.models.cache.StreamingKvCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A small deterministic auto-regressive "video" transformer with fixed seeded weights, to measure
 * what KV-cache quantization does to a generated video (spec section 10, rollout level).
 *
 * <p>A latent frame is {@code grid x grid} tokens of {@code latentChannels} values. Generation
 * works like Self-Forcing: chunk 0 holds the initial (conditioning) frame; for each later chunk
 * the model (1) runs its frames' queries against the cache of all earlier chunks plus its own
 * chunk (block-causal mask) and updates the last frame, {@code x_f = x_prev + step * tanh(h W_out)},
 * then (2) re-encodes the new clean frames and overwrites the chunk's K and V before committing
 * the chunk, which lets the cache policy quantize spans. Quantization errors therefore reach the
 * video through attention and are carried from chunk to chunk through {@code x_prev}.
 *
 * <p>The weights are random except for three constructed features real video DiTs show and the
 * method has to cope with: an attention sink (every query adds {@code sinkLogit} to the logits
 * of the first chunk's keys), per-channel key offsets (exactly softmax-invariant, but they widen
 * a per-token quantizer's range) and a few outlier key channels. Layer norms are RMS norms;
 * projections run in plain Java loops in a fixed order (bit-reproducible), attention in ND4J.
 *
 * <p>A fixed decoder maps every latent token to a {@code patch x patch} RGB tile through a
 * linear map and a sigmoid.
 */
public final class TinyVideoModel {

    private final TinyModelConfig cfg;
    private final int d, C, P, Dh, H, F;
    private final float[] wIn, pos, wOut, dec, decBias, initial;
    private final float[][] timeFreq;
    private final Layer[] layers;

    private record Layer(float[] wq, float[] wk, float[] wv, float[] wo, float[] w1, float[] w2, float[] kBias,
                         float[] kScale, float[] qScale, float[] sinkDir) {
    }

    public TinyVideoModel(TinyModelConfig config) {
        this.cfg = Objects.requireNonNull(config, "config");
        d = cfg.width();
        C = cfg.latentChannels();
        P = cfg.tokensPerFrame();
        Dh = cfg.headDim();
        H = cfg.heads();
        F = cfg.framesPerChunk();
        SplittableRandom r = new SplittableRandom(cfg.seed());
        wIn = gaussian(r, C * d, 1.0 / Math.sqrt(C));
        pos = gaussian(r, P * d, 0.5);
        timeFreq = new float[2][d];
        for (int j = 0; j < d; j++) {
            timeFreq[0][j] = (float) (0.02 + 0.5 * r.nextDouble());
            timeFreq[1][j] = (float) (2 * Math.PI * r.nextDouble());
        }
        layers = new Layer[cfg.layers()];
        for (int l = 0; l < layers.length; l++) {
            float[] kScale = new float[d], qScale = new float[d], kBias = new float[d], sink = new float[d];
            for (int j = 0; j < d; j++) {
                boolean outlier = j % 16 == 3;
                kScale[j] = outlier ? (float) cfg.keyOutlierScale() : 1f;
                qScale[j] = 1f / kScale[j];
                kBias[j] = j % 8 == 5 ? (float) (cfg.keyOffset() * (r.nextBoolean() ? 2 : -2)) : 0f;
            }
            for (int h = 0; h < H; h++) {
                float[] u = gaussian(r, Dh, 1);
                double n = 0;
                for (float x : u) {
                    n += x * x;
                }
                for (int j = 0; j < Dh; j++) {
                    sink[h * Dh + j] = (float) (u[j] / Math.sqrt(n));
                }
            }
            double s = 1.0 / Math.sqrt(d);
            layers[l] = new Layer(gaussian(r, d * d, s), gaussian(r, d * d, s), gaussian(r, d * d, s),
                    gaussian(r, d * d, 0.5 * s), gaussian(r, d * d, s), gaussian(r, d * d, 0.5 * s),
                    kBias, kScale, qScale, sink);
        }
        wOut = gaussian(r, d * C, 1.0 / Math.sqrt(d));
        int tile = cfg.patch() * cfg.patch() * 3;
        dec = gaussian(r, C * tile, 0.8);
        decBias = gaussian(r, 3, 0.3);
        initial = new float[P * C];
        double[][] wave = new double[3][5];
        for (double[] w : wave) {
            w[0] = 1 + r.nextInt(3);
            w[1] = r.nextInt(3);
            w[2] = 2 * Math.PI * r.nextDouble();
            w[3] = r.nextDouble() * 2 - 1;
            w[4] = r.nextDouble() * 2 - 1;
        }
        int g = cfg.grid();
        for (int p = 0; p < P; p++) {
            int gy = p / g, gx = p % g;
            for (int c = 0; c < C; c++) {
                double v = 0;
                for (double[] w : wave) {
                    v += (c % 2 == 0 ? w[3] : w[4]) * Math.sin(2 * Math.PI * (w[0] * gx + w[1] * gy) / g + w[2] + c);
                }
                initial[p * C + c] = (float) v;
            }
        }
    }

    public TinyModelConfig config() {
        return cfg;
    }

    /** The conditioning frame every rollout starts from, {@code [P, C]}. */
    public float[] initialFrame() {
        return initial.clone();
    }

    /** Chunks needed for {@code latentFrames} frames (chunk 0 included). */
    public int chunksFor(int latentFrames) {
        return (latentFrames + F - 1) / F;
    }

    /**
     * Generates {@code latentFrames} latent frames (each {@code [P, C]}) into {@code cache}, which
     * must be empty, have this model's layer count and head geometry and room for
     * {@link #chunksFor} chunks.
     */
    public List<float[]> generate(int latentFrames, ModelKvCache cache) {
        return generate(latentFrames, cache, 0, 0);
    }

    /**
     * As {@link #generate(int, ModelKvCache)} with a sliding attention window, as long-video
     * integrations run (LingBot-World's {@code local_attn_size} with {@code sink_size}): each chunk
     * attends to the first {@code sinkChunks} chunks and the newest {@code windowChunks} chunks
     * (its own included), and the chunks that left the window are evicted from the cache after
     * every step. {@code windowChunks == 0} attends to the whole history and evicts nothing.
     */
    public List<float[]> generate(int latentFrames, ModelKvCache cache, int sinkChunks, int windowChunks) {
        if (sinkChunks < 0 || windowChunks < 0 || (windowChunks == 0 && sinkChunks > 0)) {
            throw new IllegalArgumentException("window: sinkChunks " + sinkChunks + " and windowChunks " + windowChunks
                    + " must not be negative, and a sink needs a window");
        }
        if (latentFrames < 1) {
            throw new IllegalArgumentException("frames: must be positive, got " + latentFrames);
        }
        Objects.requireNonNull(cache, "cache");
        if (cache.layers() != layers.length) {
            throw new IllegalArgumentException("cache: has " + cache.layers() + " layers, the model " + layers.length);
        }
        var shape = cache.keys(0).shape();
        if (shape.heads() != H || shape.headDim() != Dh || shape.tokensPerChunk() != cfg.tokensPerChunk()
                || shape.batch() != 1) {
            throw new IllegalArgumentException("cache: shape " + shape + " does not fit the model (1 x " + H + " heads x "
                    + Dh + ", " + cfg.tokensPerChunk() + " tokens a chunk)");
        }
        int chunks = chunksFor(latentFrames);
        if (shape.maxChunks() < chunks) {
            throw new IllegalArgumentException("cache: room for " + shape.maxChunks() + " chunks, " + chunks + " needed");
        }
        List<float[]> frames = new ArrayList<>();
        float[][] first = new float[F][];
        for (int f = 0; f < F; f++) {
            first[f] = initial;
            frames.add(initial.clone());
        }
        forward(embed(first, 0), 0, cache, 0, 0);
        cache.commit(cfg.tokensPerChunk());
        float[] prev = initial;
        for (int c = 1; c < chunks; c++) {
            float[][] in = new float[F][];
            for (int f = 0; f < F; f++) {
                in[f] = prev;
            }
            int from = windowChunks == 0 ? 0 : Math.max(sinkChunks, c + 1 - windowChunks);
            float[] h = forward(embed(in, c), c, cache, sinkChunks, from);
            float[][] next = new float[F][];
            for (int f = 0; f < F; f++) {
                float[] delta = matmul(h, f * P, P, d, wOut, C);
                float[] x = new float[P * C];
                for (int i = 0; i < x.length; i++) {
                    x[i] = prev[i] + (float) (cfg.step() * Math.tanh(delta[i]));
                }
                next[f] = x;
                frames.add(x.clone());
            }
            forward(embed(next, c), c, cache, sinkChunks, from);
            cache.commit((c + 1) * cfg.tokensPerChunk());
            int nextFrom = windowChunks == 0 ? 0 : Math.max(sinkChunks, c + 2 - windowChunks);
            if (nextFrom > sinkChunks) {
                cache.evict(sinkChunks * cfg.tokensPerChunk(), nextFrom * cfg.tokensPerChunk());
            }
            prev = next[F - 1];
        }
        return List.copyOf(frames.subList(0, latentFrames));
    }

    /** Tokens {@code [F * P, d]} of a chunk's frames: input projection + position + time. */
    private float[] embed(float[][] frames, int chunk) {
        float[] h = new float[F * P * d];
        for (int f = 0; f < F; f++) {
            float[] x = matmul(frames[f], 0, P, C, wIn, d);
            int t = chunk * F + f;
            for (int p = 0; p < P; p++) {
                for (int j = 0; j < d; j++) {
                    h[(f * P + p) * d + j] = x[p * d + j] + pos[p * d + j]
                            + 0.3f * (float) Math.sin(t * timeFreq[0][j] + timeFreq[1][j]);
                }
            }
        }
        return h;
    }

    /**
     * All layers over one chunk's tokens; writes the chunk's K and V of every layer. The chunk
     * attends to chunks {@code [0, sinkChunks)} and {@code [windowFrom, chunk]}.
     */
    private float[] forward(float[] h, int chunk, ModelKvCache cache, int sinkChunks, int windowFrom) {
        int S = F * P, start = chunk * cfg.tokensPerChunk(), end = start + S;
        float sinkK = (float) Math.sqrt(Dh), sinkQ = (float) cfg.sinkLogit();
        for (int l = 0; l < layers.length; l++) {
            Layer L = layers[l];
            float[] hn = rmsNorm(h, S, d);
            float[] q = matmul(hn, 0, S, d, L.wq, d);
            float[] k = matmul(hn, 0, S, d, L.wk, d);
            float[] v = matmul(hn, 0, S, d, L.wv, d);
            for (int s = 0; s < S; s++) {
                for (int j = 0; j < d; j++) {
                    int i = s * d + j;
                    q[i] = q[i] * L.qScale[j] + sinkQ * L.sinkDir[j];
                    k[i] = k[i] * L.kScale[j] + L.kBias[j] + (chunk == 0 ? sinkK * L.sinkDir[j] : 0f);
                }
            }
            StreamingKvCache kc = cache.keys(l), vc = cache.values(l);
            kc.write(start, toHeads(k, S));
            vc.write(start, toHeads(v, S));
            KvTensor o;
            if (sinkChunks == 0 || windowFrom <= sinkChunks) {
                int keyStart = (sinkChunks == 0 ? windowFrom : 0) * cfg.tokensPerChunk();
                o = Attention.sdpa(toHeads(q, S), kc, vc, end, AttentionMask.chunk(start, keyStart, cfg.tokensPerChunk()));
            } else {
                // Sink and window are not contiguous: every key read is in the query's chunk or an
                // earlier one, so the chunk mask lets a query see all of them.
                int sinkEnd = sinkChunks * cfg.tokensPerChunk(), from = windowFrom * cfg.tokensPerChunk();
                KvTensor keys = sinkAndWindow(kc, sinkEnd, from, end);
                KvTensor vals = sinkAndWindow(vc, sinkEnd, from, end);
                o = Attention.sdpa(toHeads(q, S), keys, vals, AttentionMask.none());
            }
            float[] att = matmul(fromHeads(o, S), 0, S, d, L.wo, d);
            for (int i = 0; i < h.length; i++) {
                h[i] += att[i];
            }
            float[] m = matmul(rmsNorm(h, S, d), 0, S, d, L.w1, d);
            for (int i = 0; i < m.length; i++) {
                m[i] = gelu(m[i]);
            }
            float[] mo = matmul(m, 0, S, d, L.w2, d);
            for (int i = 0; i < h.length; i++) {
                h[i] += mo[i];
            }
        }
        return rmsNorm(h, S, d);
    }

    /** Tokens {@code [0, sinkEnd)} then {@code [from, end)} of {@code c}, per head (BHSD, batch 1), read side by side. */
    private KvTensor sinkAndWindow(StreamingKvCache c, int sinkEnd, int from, int end) {
        int S = sinkEnd + end - from;
        float[] o = new float[H * S * Dh];
        c.readInto(0, sinkEnd, o, 0, S * Dh);
        c.readInto(from, end, o, sinkEnd * Dh, S * Dh);
        return KvTensor.wrap(new KvShape(1, H, S, Dh), o);
    }

    /** RGB of a latent frame, {@code [pixels, pixels, 3]} row-major, values in (0, 1). */
    public float[] decode(float[] latent) {
        if (latent.length != P * C) {
            throw new IllegalArgumentException("decode: a latent frame has " + P * C + " values, got " + latent.length);
        }
        int g = cfg.grid(), pt = cfg.patch(), W = cfg.pixels(), tile = pt * pt * 3;
        float[] rgb = new float[W * W * 3];
        for (int p = 0; p < P; p++) {
            int gy = p / g, gx = p % g;
            for (int t = 0; t < tile; t++) {
                double a = decBias[t % 3];
                for (int c = 0; c < C; c++) {
                    a += latent[p * C + c] * dec[c * tile + t];
                }
                int dy = t / 3 / pt, dx = t / 3 % pt;
                rgb[((gy * pt + dy) * W + gx * pt + dx) * 3 + t % 3] = (float) (1 / (1 + Math.exp(-a)));
            }
        }
        return rgb;
    }

    private KvTensor toHeads(float[] x, int S) {
        float[] o = new float[S * d];
        for (int s = 0; s < S; s++) {
            for (int h = 0; h < H; h++) {
                System.arraycopy(x, s * d + h * Dh, o, (h * S + s) * Dh, Dh);
            }
        }
        return KvTensor.wrap(new KvShape(1, H, S, Dh), o);
    }

    private float[] fromHeads(KvTensor t, int S) {
        float[] x = t.toBhsd().data(), o = new float[S * d];
        for (int s = 0; s < S; s++) {
            for (int h = 0; h < H; h++) {
                System.arraycopy(x, (h * S + s) * Dh, o, s * d + h * Dh, Dh);
            }
        }
        return o;
    }

    /** {@code a[rows, k] (from offset) x b[k, m]}, fixed summation order. */
    static float[] matmul(float[] a, int offset, int rows, int k, float[] b, int m) {
        float[] o = new float[rows * m];
        for (int i = 0; i < rows; i++) {
            int ai = offset + i * k, oi = i * m;
            for (int t = 0; t < k; t++) {
                float x = a[ai + t];
                int bt = t * m;
                for (int j = 0; j < m; j++) {
                    o[oi + j] += x * b[bt + j];
                }
            }
        }
        return o;
    }

    private static float[] rmsNorm(float[] x, int rows, int width) {
        float[] o = new float[x.length];
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < width; j++) {
                s += (double) x[i * width + j] * x[i * width + j];
            }
            float inv = (float) (1 / Math.sqrt(s / width + 1e-6));
            for (int j = 0; j < width; j++) {
                o[i * width + j] = x[i * width + j] * inv;
            }
        }
        return o;
    }

    private static float gelu(float x) {
        return (float) (0.5 * x * (1 + Math.tanh(0.7978845608 * (x + 0.044715 * x * x * x))));
    }

    private static float[] gaussian(SplittableRandom r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble(), v = r.nextDouble();
            x[i] = (float) (scale * Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v));
        }
        return x;
    }
}
