package dev.qvg.bench.layer;

import java.util.Locale;

/**
 * What GNU {@code /usr/bin/time -v} reports about one finished command: wall time, peak resident
 * memory, CPU time and how it ended. The layer benchmark runs every timed command under it, so
 * the baseline (a Python process) and {@code qvg} (a JVM) are measured by the same outside tool.
 *
 * @param wallSeconds  elapsed wall-clock time
 * @param maxRssBytes  largest resident set size ({@code time} reports kilobytes)
 * @param userSeconds  CPU time in user mode, all threads
 * @param systemSeconds CPU time in the kernel, all threads
 * @param exitStatus   the command's exit status; for a command killed by a signal, 128 + the signal
 */
public record ProcessStats(double wallSeconds, long maxRssBytes, double userSeconds, double systemSeconds,
                           int exitStatus) {

    public ProcessStats {
        if (!(wallSeconds >= 0) || maxRssBytes < 0 || !(userSeconds >= 0) || !(systemSeconds >= 0)) {
            throw new IllegalArgumentException("process stats: negative or NaN figure (wall " + wallSeconds + " s, rss "
                    + maxRssBytes + " B, user " + userSeconds + " s, sys " + systemSeconds + " s)");
        }
    }

    public boolean succeeded() {
        return exitStatus == 0;
    }

    public double cpuSeconds() {
        return userSeconds + systemSeconds;
    }

    /** Parses the text {@code /usr/bin/time -v} wrote ({@code -o FILE}); {@code where} names it in errors. */
    public static ProcessStats parse(String text, String where) {
        Double wall = null, user = null, sys = null;
        Long rssKb = null;
        Integer exit = null;
        Integer signal = null;
        for (String raw : text.split("\n")) {
            String line = raw.trim();
            if (line.startsWith("Command terminated by signal ")) {
                signal = Integer.parseInt(line.substring("Command terminated by signal ".length()).trim());
                continue;
            }
            int colon = line.lastIndexOf(": ");
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon), value = line.substring(colon + 2).trim();
            try {
                switch (key) {
                    case "Elapsed (wall clock) time (h:mm:ss or m:ss)" -> wall = clock(value);
                    case "Maximum resident set size (kbytes)" -> rssKb = Long.parseLong(value);
                    case "User time (seconds)" -> user = Double.parseDouble(value);
                    case "System time (seconds)" -> sys = Double.parseDouble(value);
                    case "Exit status" -> exit = Integer.parseInt(value);
                    default -> {
                        // the other counters (page faults, context switches, ...) are not reported
                    }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": unreadable value '" + value + "' for '" + key + "'");
            }
        }
        if (wall == null || rssKb == null || user == null || sys == null || exit == null) {
            throw new IllegalArgumentException(where + ": not the output of /usr/bin/time -v (missing "
                    + (wall == null ? "wall clock time" : rssKb == null ? "maximum resident set size"
                    : user == null ? "user time" : sys == null ? "system time" : "exit status") + ")");
        }
        return new ProcessStats(wall, rssKb * 1024, user, sys, signal != null ? 128 + signal : exit);
    }

    /** {@code h:mm:ss} or {@code m:ss.ss} to seconds. */
    static double clock(String value) {
        String[] parts = value.split(":");
        if (parts.length < 2 || parts.length > 3) {
            throw new NumberFormatException("not h:mm:ss or m:ss: " + value);
        }
        double s = 0;
        for (String p : parts) {
            s = s * 60 + Double.parseDouble(p);
        }
        return s;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.2f s wall, %.1f MB peak RSS, %.2f s CPU, exit %d", wallSeconds,
                maxRssBytes / 1e6, cpuSeconds(), exitStatus);
    }
}
