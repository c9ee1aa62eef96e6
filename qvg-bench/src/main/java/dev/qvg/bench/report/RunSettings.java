package dev.qvg.bench.report;

import java.util.List;

/**
 * How a JMH result was measured: what the report states so a reader can judge the numbers.
 *
 * @param forks              forked JVMs per benchmark
 * @param warmupIterations   warm-up iterations per fork
 * @param warmupTime         time of one warm-up iteration as JMH writes it ("1 s")
 * @param iterations         measured iterations per fork
 * @param iterationTime      time of one measured iteration
 * @param jmhThreads         JMH worker threads ({@code -t}); the backends' own threads are a parameter
 * @param jdk                JDK version
 * @param vm                 VM name and version
 * @param jvmArgs            arguments of the forked JVMs
 */
public record RunSettings(int forks, int warmupIterations, String warmupTime, int iterations, String iterationTime,
                          int jmhThreads, String jdk, String vm, List<String> jvmArgs) {

    public RunSettings {
        jvmArgs = List.copyOf(jvmArgs == null ? List.of() : jvmArgs);
        warmupTime = warmupTime == null ? "" : warmupTime;
        iterationTime = iterationTime == null ? "" : iterationTime;
        jdk = jdk == null ? "" : jdk;
        vm = vm == null ? "" : vm;
    }

    /** The settings as JMH command-line flags, e.g. {@code -f 1 -wi 1 -i 3 -w 1s -r 1s -t 1}. */
    public String asFlags() {
        return "-f " + forks + " -wi " + warmupIterations + " -i " + iterations
                + (warmupTime.isBlank() ? "" : " -w " + warmupTime.replace(" ", ""))
                + (iterationTime.isBlank() ? "" : " -r " + iterationTime.replace(" ", ""))
                + " -t " + jmhThreads;
    }
}
