package dev.qvg.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts {@link ForkedWriter} in a new JVM (through {@code sh} when a shell prelude is given). */
final class Forks {

    private Forks() {
    }

    /** The java command for {@link ForkedWriter} with this JVM's class path. */
    static List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                ForkedWriter.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code prelude; exec java ...} in {@code sh} (e.g. {@code umask 077}). */
    static Process start(String prelude, String... args) throws IOException {
        List<String> java = javaCommand(args);
        if (prelude == null) {
            return new ProcessBuilder(java).redirectErrorStream(true).start();
        }
        StringBuilder sh = new StringBuilder(prelude).append("; exec");
        for (String a : java) {
            sh.append(" '").append(a.replace("'", "'\\''")).append('\'');
        }
        return new ProcessBuilder("sh", "-c", sh.toString()).redirectErrorStream(true).start();
    }

    /** Runs to the end (60 s at most); returns its exit code and output. */
    static String[] run(String prelude, String... args) throws Exception {
        Process p = start(prelude, args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("forked writer did not finish: " + out);
        }
        return new String[] {Integer.toString(p.exitValue()), out};
    }

    /** Waits for the line {@code writing} of a {@code hold} writer; fails with its output otherwise. */
    static void awaitWriting(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = r.readLine()) != null; ) {
            if (line.equals("writing")) {
                return;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("forked writer ended before writing: " + seen);
    }

    /** Sends {@code signal} (TERM, INT, KILL) to {@code p} and waits for it to end. */
    static int signal(Process p, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + signal + " failed");
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("process survived SIG" + signal);
        }
        return p.exitValue();
    }
}
