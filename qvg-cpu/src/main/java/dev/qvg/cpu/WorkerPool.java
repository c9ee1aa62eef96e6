package dev.qvg.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A bounded pool of daemon worker threads that runs a fixed list of independent tasks and waits
 * for all of them. Task boundaries never depend on the thread count, so every kernel that splits
 * its work through this pool gives the same bits whatever {@link #threads()} is.
 *
 * <p>Latency matters as much as throughput here: the block kernels finish a whole call in tens of
 * microseconds, about what it takes to wake a parked thread on these machines. So, as OpenMP
 * runtimes do, a worker that runs out of work spins for a short while ({@value #SPIN_PROPERTY},
 * default {@value #DEFAULT_SPIN_MICROS} us) watching for the next call before it parks, and a
 * caller that has run out of tasks spins as long for the last ones to finish before it parks. The
 * spin is bounded, so an idle pool costs nothing; workers idle for {@value #IDLE_SECONDS} s exit
 * (a backend dropped without {@link #close()} leaves no threads behind) and are started again by
 * the next call.
 *
 * <p>The caller always runs tasks itself; workers only help. So a call never waits for a worker
 * to start, a second caller arriving while the pool is busy (or a task calling the pool again)
 * simply runs its tasks on its own thread, and no task runs after {@link #run} returns.
 */
final class WorkerPool implements AutoCloseable {

    /** System property naming the worker count; default: available processors. */
    static final String THREADS_PROPERTY = "qvg.cpu.threads";
    /** System property: microseconds a thread spins for work (or for its helpers) before it parks; 0 parks at once. */
    static final String SPIN_PROPERTY = "qvg.cpu.spinMicros";
    static final long DEFAULT_SPIN_MICROS = 50;

    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    private static final long IDLE_SECONDS = 30;

    private final int threads;
    private final int poolId = POOL_IDS.incrementAndGet();
    private final long spinNanos;
    private final long idleNanos;
    private final Helper[] helpers;
    /** Set while one caller's job is shared with the helpers; other callers run alone meanwhile. */
    private final AtomicBoolean busy = new AtomicBoolean();
    /** The job helpers should join; replaced by each shared call. */
    private volatile Job current;
    private volatile boolean closed;

    WorkerPool(int threads) {
        this(threads, configuredSpinMicros(), IDLE_SECONDS * 1_000_000_000L);
    }

    /** A pool whose helpers spin {@code spinMicros} for work and exit after {@code idleNanos} without any. */
    WorkerPool(int threads, long spinMicros, long idleNanos) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads: must be positive, got " + threads);
        }
        if (spinMicros < 0) {
            throw new IllegalArgumentException("spinMicros: must not be negative, got " + spinMicros);
        }
        this.threads = threads;
        this.spinNanos = spinMicros * 1000L;
        this.idleNanos = idleNanos;
        this.helpers = new Helper[threads - 1];
    }

    /** The worker count from {@value #THREADS_PROPERTY}, or the available processors. */
    static int configuredThreads() {
        String v = System.getProperty(THREADS_PROPERTY);
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        return parse(THREADS_PROPERTY, v, 1, "a positive integer");
    }

    /** The spin time from {@value #SPIN_PROPERTY}, or {@value #DEFAULT_SPIN_MICROS} us. */
    static long configuredSpinMicros() {
        String v = System.getProperty(SPIN_PROPERTY);
        if (v == null || v.isBlank()) {
            return DEFAULT_SPIN_MICROS;
        }
        return parse(SPIN_PROPERTY, v, 0, "a non-negative integer");
    }

    private static int parse(String property, String v, int min, String what) {
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + ": must be " + what + ", got '" + v + "'", e);
        }
        if (n < min) {
            throw new IllegalArgumentException(property + ": must be " + what + ", got '" + v + "'");
        }
        return n;
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code task.accept(t)} for every {@code t} in {@code [0, tasks)} and returns when all
     * are done; the first failure is rethrown (unchecked exceptions as they are).
     */
    void run(int tasks, IntConsumer task) {
        if (tasks <= 0) {
            return;
        }
        if (helpers.length == 0 || tasks == 1 || closed || !busy.compareAndSet(false, true)) {
            Job alone = new Job(tasks, task);
            alone.work();
            alone.rethrow();
            return;
        }
        Job job = new Job(tasks, task);
        try {
            current = job;
            wakeHelpers(Math.min(helpers.length, tasks - 1));
            job.work();
            job.awaitAll(spinNanos);
        } finally {
            current = null;
            busy.set(false);
        }
        job.rethrow();
    }

    /** Wakes (or starts) the first {@code n} helpers; the job is already published. */
    private void wakeHelpers(int n) {
        for (int i = 0; i < n; i++) {
            Helper h = helpers[i];
            while (true) {
                int s = h == null ? Helper.EXITED : h.state.get();
                if (s == Helper.EXITED) {
                    h = new Helper(i);
                    helpers[i] = h;
                    h.thread.start();
                    break;
                }
                if (s == Helper.SPINNING) {
                    break; // it will see the job
                }
                if (h.state.compareAndSet(Helper.PARKED, Helper.SPINNING)) {
                    LockSupport.unpark(h.thread);
                    break;
                }
                // It changed state meanwhile (exited, or woke by itself): look again.
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Helper h : helpers) {
            if (h != null) {
                LockSupport.unpark(h.thread);
            }
        }
    }

    /** One call's tasks: claimed through a shared counter, counted when finished. */
    private static final class Job {
        private final int tasks;
        private final IntConsumer task;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger finished = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** The caller, once it parks waiting for the last tasks; helpers unpark it. */
        private volatile Thread waiter;

        Job(int tasks, IntConsumer task) {
            this.tasks = tasks;
            this.task = task;
        }

        /** Claims and runs tasks until none is left. */
        void work() {
            for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) {
                try {
                    task.accept(t);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    if (finished.incrementAndGet() == tasks) {
                        Thread w = waiter;
                        if (w != null) {
                            LockSupport.unpark(w);
                        }
                    }
                }
            }
        }

        boolean done() {
            return finished.get() == tasks;
        }

        /** Spins up to {@code spinNanos} for tasks other threads are still running, then parks. */
        void awaitAll(long spinNanos) {
            long start = System.nanoTime();
            while (!done()) {
                if (System.nanoTime() - start < spinNanos) {
                    Thread.onSpinWait();
                    continue;
                }
                waiter = Thread.currentThread();
                boolean interrupted = false;
                while (!done()) {
                    LockSupport.park(this);
                    // Tasks cannot be abandoned half-run, so an interrupt waits for them too.
                    interrupted |= Thread.interrupted();
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void rethrow() {
            Throwable e = failure.get();
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof Error err) {
                throw err;
            }
            if (e != null) {
                throw new IllegalStateException("cpu backend: worker failed", e);
            }
        }
    }

    /**
     * A helper thread: joins each published job, then spins for the next one before it parks.
     * Its state moves SPINNING -> PARKED by itself, PARKED -> SPINNING by a caller that wakes it,
     * and PARKED -> EXITED by itself after the pool's idle time without work.
     */
    private final class Helper implements Runnable {
        static final int SPINNING = 0, PARKED = 1, EXITED = 2;

        final AtomicInteger state = new AtomicInteger(SPINNING);
        final Thread thread;

        Helper(int index) {
            thread = new Thread(this, "qvg-cpu-" + poolId + "-" + (index + 1));
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            Job last = null;
            long idleSince = System.nanoTime();
            while (!closed) {
                Job job = current;
                if (job != null && job != last) {
                    last = job;
                    job.work();
                    idleSince = System.nanoTime();
                    continue;
                }
                long idle = System.nanoTime() - idleSince;
                if (idle < spinNanos) {
                    Thread.onSpinWait();
                    continue;
                }
                state.set(PARKED);
                // Re-check after announcing the park: a caller publishes its job before it reads
                // the state, so either it sees PARKED and unparks, or this sees its job.
                job = current;
                if (job == null || job == last) {
                    long left = idleNanos - idle;
                    if (left <= 0) {
                        if (state.compareAndSet(PARKED, EXITED)) {
                            return;
                        }
                    } else {
                        LockSupport.parkNanos(this, left);
                    }
                }
                state.set(SPINNING);
            }
            state.set(EXITED);
        }
    }
}
