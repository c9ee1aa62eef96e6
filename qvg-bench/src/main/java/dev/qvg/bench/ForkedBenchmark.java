package dev.qvg.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * The one place that says how every qvg benchmark JVM is started: JMH reads {@code @Fork} from a
 * benchmark's superclass when the class itself has none, so each benchmark extends this instead
 * of repeating the flags (an annotation's array must be a constant expression, so it cannot be
 * shared as a field).
 */
@Fork(value = 1, jvmArgsAppend = {BenchShapes.FORK_HEAP, BenchShapes.FORK_HEAP_MIN, BenchShapes.FORK_PRETOUCH,
        BenchShapes.FORK_QUIET_ND4J, BenchShapes.FORK_VECTOR_API})
public abstract class ForkedBenchmark {
}
