package dev.qvg.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** A one-line description of the machine the report is generated on (the run's machine). */
final class MachineInfo {

    private MachineInfo() {
    }

    static String describe() {
        String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name");
        String memKb = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        StringBuilder sb = new StringBuilder();
        sb.append(cpu == null ? "unknown CPU" : cpu.trim());
        sb.append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores visible to the JVM");
        if (memKb != null) {
            try {
                long kb = Long.parseLong(memKb.replaceAll("[^0-9]", ""));
                sb.append(String.format(Locale.ROOT, ", %.1f GiB RAM", kb / 1024.0 / 1024.0));
            } catch (NumberFormatException e) {
                // An unexpected meminfo format only loses the memory figure.
            }
        }
        sb.append(", ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch"));
        return sb.toString();
    }

    private static String firstValue(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (String l : lines) {
                int colon = l.indexOf(':');
                if (colon > 0 && l.substring(0, colon).trim().equals(key)) {
                    return l.substring(colon + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }
}
