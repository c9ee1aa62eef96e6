package dev.qvg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pool's contract: every task once, all done before run returns, failures rethrown, idle helpers leave. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerPoolTest {

    @Test
    void everyTaskRunsExactlyOnceAndBeforeRunReturns() {
        for (long spin : new long[] {0, 50}) {
            try (WorkerPool pool = new WorkerPool(3, spin, 1_000_000_000L)) {
                for (int round = 0; round < 2000; round++) {
                    int tasks = 1 + round % 17;
                    AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                    pool.run(tasks, t -> {
                        busyWork(t);
                        runs.incrementAndGet(t);
                    });
                    for (int t = 0; t < tasks; t++) {
                        assertEquals(1, runs.get(t), "spin " + spin + ", round " + round + ", task " + t);
                    }
                }
            }
        }
    }

    @Test
    void helpersTakePartInLongCalls() {
        try (WorkerPool pool = new WorkerPool(2, 50, 1_000_000_000L)) {
            Set<Thread> seen = ConcurrentHashMap.newKeySet();
            for (int round = 0; round < 50 && seen.size() < 2; round++) {
                pool.run(64, t -> {
                    seen.add(Thread.currentThread());
                    busyWork(20_000);
                });
            }
            assertEquals(2, seen.size(), "the caller and its one helper both ran tasks");
        }
    }

    @Test
    void aFailureIsRethrownAfterEveryOtherTaskHasRun() {
        try (WorkerPool pool = new WorkerPool(2, 50, 1_000_000_000L)) {
            IllegalStateException boom = new IllegalStateException("boom");
            AtomicInteger ran = new AtomicInteger();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(40, t -> {
                if (t == 3) {
                    throw boom;
                }
                busyWork(1000);
                ran.incrementAndGet();
            }));
            assertSame(boom, e);
            assertEquals(39, ran.get());
            // The pool is usable afterwards.
            AtomicInteger again = new AtomicInteger();
            pool.run(10, t -> again.incrementAndGet());
            assertEquals(10, again.get());
        }
    }

    @Test
    void aTaskMayCallThePoolAgainAndConcurrentCallersAllFinish() throws Exception {
        try (WorkerPool pool = new WorkerPool(2, 50, 1_000_000_000L)) {
            AtomicInteger inner = new AtomicInteger();
            pool.run(4, t -> pool.run(5, u -> inner.incrementAndGet()));
            assertEquals(20, inner.get());

            ExecutorService callers = Executors.newFixedThreadPool(4);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    results.add(callers.submit(() -> {
                        AtomicInteger n = new AtomicInteger();
                        for (int round = 0; round < 300; round++) {
                            pool.run(7, t -> n.incrementAndGet());
                        }
                        return n.get();
                    }));
                }
                for (Future<Integer> f : results) {
                    assertEquals(2100, f.get());
                }
            } finally {
                callers.shutdownNow();
            }
        }
    }

    @Test
    void idleHelpersExitAndTheNextCallStartsThemAgain() throws Exception {
        try (WorkerPool pool = new WorkerPool(2, 20, 50_000_000L)) {
            Set<Thread> first = ConcurrentHashMap.newKeySet();
            runUntilHelped(pool, first);
            Thread helper = first.stream().filter(t -> t != Thread.currentThread()).findFirst().orElseThrow();
            helper.join(10_000);
            assertTrue(!helper.isAlive(), "a helper idle for longer than the idle time has exited");
            Set<Thread> second = ConcurrentHashMap.newKeySet();
            runUntilHelped(pool, second);
            assertEquals(2, second.size());
        }
    }

    @Test
    void closeStopsTheHelpersAndLaterCallsRunOnTheCaller() throws Exception {
        WorkerPool pool = new WorkerPool(2, 50, 1_000_000_000L);
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        runUntilHelped(pool, seen);
        pool.close();
        for (Thread t : seen) {
            if (t != Thread.currentThread()) {
                t.join(10_000);
                assertTrue(!t.isAlive(), "helper stopped by close()");
            }
        }
        Set<Thread> after = ConcurrentHashMap.newKeySet();
        pool.run(8, t -> after.add(Thread.currentThread()));
        assertEquals(Set.of(Thread.currentThread()), after);
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0, 0, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WorkerPool(2, -1, 1));
        assertEquals("spinMicros: must not be negative, got -1", e.getMessage());
        String old = System.getProperty(WorkerPool.SPIN_PROPERTY);
        try {
            System.setProperty(WorkerPool.SPIN_PROPERTY, "7");
            assertEquals(7, WorkerPool.configuredSpinMicros());
            System.setProperty(WorkerPool.SPIN_PROPERTY, "-3");
            e = assertThrows(IllegalArgumentException.class, WorkerPool::configuredSpinMicros);
            assertEquals("qvg.cpu.spinMicros: must be a non-negative integer, got '-3'", e.getMessage());
            System.setProperty(WorkerPool.SPIN_PROPERTY, "soon");
            e = assertThrows(IllegalArgumentException.class, WorkerPool::configuredSpinMicros);
            assertEquals("qvg.cpu.spinMicros: must be a non-negative integer, got 'soon'", e.getMessage());
            System.clearProperty(WorkerPool.SPIN_PROPERTY);
            assertEquals(WorkerPool.DEFAULT_SPIN_MICROS, WorkerPool.configuredSpinMicros());
        } finally {
            if (old == null) {
                System.clearProperty(WorkerPool.SPIN_PROPERTY);
            } else {
                System.setProperty(WorkerPool.SPIN_PROPERTY, old);
            }
        }
    }

    /** Calls with slow tasks until a helper has run one (a helper's start is not instant). */
    private static void runUntilHelped(WorkerPool pool, Set<Thread> seen) {
        for (int round = 0; round < 200 && seen.size() < 2; round++) {
            pool.run(16, t -> {
                seen.add(Thread.currentThread());
                busyWork(50_000);
            });
        }
        assertEquals(2, seen.size(), "a helper ran a task");
    }

    private static volatile long sink;

    private static void busyWork(int n) {
        long h = n;
        for (int i = 0; i < n; i++) {
            h = h * 6364136223846793005L + 1442695040888963407L;
        }
        sink = h;
    }
}
