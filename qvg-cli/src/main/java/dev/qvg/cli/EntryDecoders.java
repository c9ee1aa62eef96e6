package dev.qvg.cli;

import dev.qvg.api.registry.Qvg;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.inject.Pipeline;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes the entries of a quantized-cache file for {@code qvg decompress} through a backend
 * (the cpu one by default: parallel, fused, SIMD) instead of the single-threaded
 * {@link ReferenceDecoder} (about 15 s per 2 GiB of output on 2 cores). Every backend decodes to
 * the reference's bits (the conformance kit checks it), so the output bytes do not depend on the
 * choice. Each entry's pipeline is assembled from what the file records: its config when that
 * names the entry's method, else the entry's method with default settings, always on the chosen
 * backend. An entry whose method is not on the class path (the plug-in that wrote the file is
 * absent) is decoded by the reference decoder: a file never needs its writer to be read.
 */
final class EntryDecoders implements AutoCloseable {

    private final String backend;
    private final QuantizerConfig fileConfig;
    private final Map<String, Pipeline> byMethod = new HashMap<>();

    EntryDecoders(String backend, QuantizerConfig fileConfig) {
        this.backend = backend;
        this.fileConfig = fileConfig;
    }

    /**
     * Decodes {@code part} (of entry method {@code method}) into {@code out[0, slices * S * D)},
     * BHSD.
     */
    void decode(String method, QuantizedKv part, float[] out) {
        Pipeline p = pipeline(method);
        int sliceSize = part.shape().tokens() * part.shape().headDim();
        if (p == null) {
            float[] d = ReferenceDecoder.decode(part).data();
            System.arraycopy(d, 0, out, 0, d.length);
        } else {
            p.quantizer().dequantizeInto(part, out, 0, sliceSize);
        }
    }

    /** The pipeline that decodes entries of {@code method}, or null when the method is not registered. */
    private Pipeline pipeline(String method) {
        if (byMethod.containsKey(method)) {
            return byMethod.get(method);
        }
        Pipeline p = null;
        if (Qvg.quantizers().contains(method)) {
            QuantizerConfig base = fileConfig != null && fileConfig.method().equals(method)
                    ? fileConfig : QuantizerConfig.builder().method(method).build();
            p = Pipeline.open(base.toBuilder().backend(backend).build());
        }
        byMethod.put(method, p);
        return p;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Pipeline p : byMethod.values()) {
            if (p == null) {
                continue;
            }
            try {
                p.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        byMethod.clear();
        if (first != null) {
            throw first;
        }
    }
}
