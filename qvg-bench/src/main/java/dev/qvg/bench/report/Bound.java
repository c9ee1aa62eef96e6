package dev.qvg.bench.report;

/** Which physical limit a benchmark's figure is compared with. */
public enum Bound {
    /** Bytes moved per second against the measured memory-copy bandwidth (read + written). */
    MEMORY,
    /** Floating-point operations per second against the measured SGEMM of the same shape. */
    FLOPS,
    /** The benchmark measures a limit itself. */
    LIMIT_MEMORY,
    /** The benchmark measures the arithmetic limit itself. */
    LIMIT_FLOPS
}
