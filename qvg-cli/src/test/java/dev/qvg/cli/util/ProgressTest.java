package dev.qvg.cli.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The progress line: percent, elapsed time and ETA from the work done so far (weighted), redrawn
 * in place at most every 200 ms on a terminal, a line every 10 s and one at the end in a log, and
 * nothing unless stderr is a terminal or progress was asked for.
 */
class ProgressTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final StringWriter out = new StringWriter();

    private Progress progress(boolean inPlace) {
        return new Progress(new PrintWriter(out, true), true, inPlace, now::get);
    }

    private void seconds(double s) {
        now.addAndGet((long) (s * 1e9));
    }

    @Test
    void etaIsTheRateSoFarAppliedToTheWorkLeft() {
        Progress p = progress(true);
        p.start("compress", 10);
        assertEquals(-1, p.etaSeconds(), "nothing done: no estimate");
        assertTrue(p.line().startsWith("compress [....................]   0% 0:00, ETA --:--"), p.line());
        seconds(4);
        p.advance(2, "k slices 0-1"); // 2 of 10 units in 4 s: 8 left at that rate take 16 s
        assertEquals(16, p.etaSeconds(), 1e-9);
        assertEquals("compress [####................]  20% 0:04, ETA 0:16  k slices 0-1", p.line());
        seconds(10);
        p.advance(5, "v slices 0-4"); // 7 in 14 s: 3 left take 6 s
        assertEquals(6, p.etaSeconds(), 1e-9);
        seconds(6);
        p.advance(3, "v slices 5-7");
        assertEquals("compress [####################] 100% done in 0:20  v slices 5-7", p.line());
        assertEquals("1:01:05", Progress.clock(3665));
        assertEquals("0:59", Progress.clock(59.4));
    }

    @Test
    void aTerminalGetsOneLineRedrawnAtMostEvery200MsAndClearedAtTheEnd() {
        Progress p = progress(true);
        p.start("decompress", 1000);
        for (int i = 0; i < 1000; i++) {
            seconds(0.001); // 1000 steps in 1 s: about 5 redraws, not 1000
            p.step("x");
        }
        String s = out.toString();
        long redraws = s.chars().filter(c -> c == '\r').count();
        assertTrue(redraws >= 5 && redraws <= 8, redraws + " redraws");
        assertFalse(s.contains("\n"), "redrawn in place");
        assertTrue(s.contains("100% done in 0:01"), s);
        p.close();
        assertTrue(out.toString().endsWith("\r"), "the line is cleared for what follows");
    }

    @Test
    void aLogGetsALineEveryTenSecondsAndTheEnd() {
        Progress p = progress(false);
        p.start("eval", 100);
        for (int i = 0; i < 100; i++) {
            seconds(0.5); // 50 s in all
            p.step("group " + i);
        }
        p.close();
        List<String> lines = out.toString().lines().toList();
        assertEquals(5, lines.size(), out.toString()); // at 10, 20, 30, 40 s and the end
        assertTrue(lines.get(0).startsWith("eval [####................]  20% 0:10, ETA 0:40  group 19"), lines.get(0));
        assertEquals("eval [####################] 100% done in 0:50  group 99", lines.get(4));
        assertFalse(out.toString().contains("\r"));
    }

    @Test
    void drawnOnlyOnATerminalOrWhenAskedAndNeverWhenQuiet() {
        assertTrue(Progress.enabled(Progress.Mode.AUTO, true));
        assertFalse(Progress.enabled(Progress.Mode.AUTO, false));
        assertTrue(Progress.enabled(Progress.Mode.ALWAYS, false));
        assertFalse(Progress.enabled(Progress.Mode.NEVER, true));
        assertEquals(Progress.Mode.ALWAYS, Progress.Mode.parse("always"));
        assertEquals(Progress.Mode.ALWAYS, Progress.Mode.parse("1"));
        assertEquals(Progress.Mode.NEVER, Progress.Mode.parse("Never"));
        assertEquals(Progress.Mode.AUTO, Progress.Mode.parse(""));
        assertThrows(IllegalArgumentException.class, () -> Progress.Mode.parse("sometimes"));
        // a writer that is not the process's stderr (a test's) is not a terminal
        StringWriter s = new StringWriter();
        Progress.request(null);
        try (Progress p = Progress.forTerminal(new PrintWriter(s), false)) {
            assertEquals(Progress.enabled(Progress.requestedMode(), false), p.enabled());
        }
        Progress.request(Progress.Mode.ALWAYS);
        try {
            assertTrue(Progress.forTerminal(new PrintWriter(s), false).enabled());
            assertFalse(Progress.forTerminal(new PrintWriter(s), true).enabled(), "--quiet wins");
        } finally {
            Progress.request(null);
        }
        assertFalse(Progress.off().enabled());
    }
}
