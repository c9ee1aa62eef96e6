package dev.qvg.io;

/**
 * Caps applied while reading untrusted files, all checked before the corresponding allocation.
 *
 * @param maxHeaderBytes largest safetensors JSON header (or npy header) accepted, in bytes
 * @param maxTensorBytes largest single tensor accepted, in bytes on disk
 * @param requireFinite  refuse NaN or infinite values in tensors loaded as KV tensors
 */
public record ReadLimits(long maxHeaderBytes, long maxTensorBytes, boolean requireFinite) {

    /** 100 MiB: the Rust safetensors reference implementation uses the same header cap. */
    public static final long DEFAULT_MAX_HEADER_BYTES = 100L << 20;
    /** 8 GiB: an F32 tensor of the largest KvShape, {@code KvShape.MAX_ELEMENTS * 4}. */
    public static final long DEFAULT_MAX_TENSOR_BYTES = 8L << 30;

    public ReadLimits {
        if (maxHeaderBytes < 2 || maxHeaderBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxHeaderBytes must be in 2.." + (Integer.MAX_VALUE - 8)
                    + " (a header is read into one array), got " + maxHeaderBytes);
        }
        if (maxTensorBytes < 1) {
            throw new IllegalArgumentException("maxTensorBytes must be positive, got " + maxTensorBytes);
        }
    }

    /** 100 MiB headers, 8 GiB tensors, finite values required. */
    public static ReadLimits defaults() {
        return new ReadLimits(DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_TENSOR_BYTES, true);
    }

    public ReadLimits withMaxHeaderBytes(long bytes) {
        return new ReadLimits(bytes, maxTensorBytes, requireFinite);
    }

    public ReadLimits withMaxTensorBytes(long bytes) {
        return new ReadLimits(maxHeaderBytes, bytes, requireFinite);
    }

    public ReadLimits withRequireFinite(boolean require) {
        return new ReadLimits(maxHeaderBytes, maxTensorBytes, require);
    }
}
