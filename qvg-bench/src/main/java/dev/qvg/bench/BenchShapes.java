package dev.qvg.bench;

/**
 * The fixed dimensions of every benchmark: the head dimension of the four target models and the
 * published cluster count. The token count S is a JMH parameter of each benchmark.
 */
public final class BenchShapes {

    /** Head dimension of every target model (spec section 2). */
    public static final int D = 128;
    /** Centroids per k-means stage in the published INT2 configuration. */
    public static final int K = 256;
    /** k-means iterations of one compression in the benchmarks: issue 4's reference workload. */
    public static final int COMPRESS_ITERS = 20;
    /**
     * k-means iterations per slice of the real-job benchmark (issue 21: one LongCat-Video layer with
     * {@code --iters 5 --tol 0}), and of {@code KMeansBenchmark.cluster}, its per-slice micro-row.
     */
    public static final int LAYER_ITERS = 5;
    /** PRQ stages in the PRQ compression benchmark (SAS is the one-stage case). */
    public static final int PRQ_STAGES = 2;
    /** Tokens per chunk of the streaming-cache histories (cache read, attention). */
    public static final int HISTORY_CHUNK = 512;
    /** Chunks per quantized span of those histories: the reference policy's 8. */
    public static final int HISTORY_QUANT_FACTOR = 8;
    /** Tokens per quantized span of those histories. */
    public static final int HISTORY_SPAN = HISTORY_CHUNK * HISTORY_QUANT_FACTOR;
    /** Query tokens attending over a history: one chunk. */
    public static final int ATTENTION_QUERIES = HISTORY_CHUNK;
    /** Heap of each forked benchmark JVM: the largest benchmark holds a few hundred MB. */
    public static final String FORK_HEAP = "-Xmx6g";
    /** ND4J's start-up banner goes to SLF4J at info; warnings and errors still show. */
    public static final String FORK_QUIET_ND4J = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn";
    /**
     * The whole heap committed and touched at start-up. Without it, a benchmark allocating a large
     * array per call sometimes ran 20x slower (BF16 cache read, S=16384: 23 ms instead of 1.0 ms)
     * depending on unrelated flags: page faults on heap the JVM had just committed, slow on this
     * virtual machine. Measured stable with these two flags.
     */
    public static final String FORK_HEAP_MIN = "-Xms6g";
    public static final String FORK_PRETOUCH = "-XX:+AlwaysPreTouch";
    /** Lets the cpu backend run its SIMD block kernels (dev.qvg.cpu.Simd), as {@code ./qvg} does. */
    public static final String FORK_VECTOR_API = "--add-modules=jdk.incubator.vector";

    private BenchShapes() {
    }
}
