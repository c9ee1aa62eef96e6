package dev.qvg.bench.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcessStatsTest {

    /** GNU time 1.9's -v output for a successful command (trimmed of counters we do not read). */
    static String output(String elapsed, String rssKb, String head) {
        return head + "\tCommand being timed: \"python3 faiss_numpy_layer.py compress --input a: b\"\n"
                + "\tUser time (seconds): 61.25\n"
                + "\tSystem time (seconds): 2.50\n"
                + "\tPercent of CPU this job got: 180%\n"
                + "\tElapsed (wall clock) time (h:mm:ss or m:ss): " + elapsed + "\n"
                + "\tAverage shared text size (kbytes): 0\n"
                + "\tMaximum resident set size (kbytes): " + rssKb + "\n"
                + "\tFile system outputs: 8\n"
                + "\tExit status: " + (head.isEmpty() ? "0" : "2") + "\n";
    }

    @Test
    void readsWallRssCpuAndExit() {
        ProcessStats s = ProcessStats.parse(output("0:36.41", "1482000", ""), "t");
        assertEquals(36.41, s.wallSeconds(), 1e-9);
        assertEquals(1482000L * 1024, s.maxRssBytes());
        assertEquals(63.75, s.cpuSeconds(), 1e-9);
        assertTrue(s.succeeded());
        assertEquals(3723.5, ProcessStats.parse(output("1:02:03.5", "10", ""), "t").wallSeconds(), 1e-9,
                "h:mm:ss for runs of an hour or more");
    }

    @Test
    void aFailedOrKilledCommandIsNotASuccess() {
        ProcessStats failed = ProcessStats.parse(output("0:01.00", "10", "Command exited with non-zero status 2\n"), "t");
        assertEquals(2, failed.exitStatus());
        assertFalse(failed.succeeded());
        String killed = "Command terminated by signal 9\n" + output("0:01.00", "10", "");
        assertEquals(137, ProcessStats.parse(killed, "t").exitStatus(), "killed (out of memory, say): 128 + signal");
    }

    @Test
    void notTimeOutputIsRefusedNamingWhatIsMissing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProcessStats.parse("bash: /usr/bin/time: No such file or directory\n", "run/x.time"));
        assertTrue(e.getMessage().contains("run/x.time") && e.getMessage().contains("wall clock"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ProcessStats.parse(output("0:xx", "10", ""), "t"));
        assertTrue(bad.getMessage().contains("0:xx"), bad.getMessage());
    }
}
