package dev.qvg.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A bounded pool of daemon worker threads that runs a fixed list of independent tasks and waits
 * for all of them. Task boundaries never depend on the thread count, so every kernel that splits
 * its work through this pool gives the same bits whatever {@link #threads()} is.
 */
final class WorkerPool implements AutoCloseable {

    /** System property naming the worker count; default: available processors. */
    static final String THREADS_PROPERTY = "qvg.cpu.threads";

    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    private static final long IDLE_SECONDS = 30;

    private final int threads;
    private final ExecutorService executor;

    WorkerPool(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads: must be positive, got " + threads);
        }
        this.threads = threads;
        if (threads == 1) {
            // One thread: run on the caller, no hand-off cost.
            this.executor = null;
        } else {
            int id = POOL_IDS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            ThreadFactory tf = r -> {
                Thread t = new Thread(r, "qvg-cpu-" + id + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            // Idle workers exit after a while, so a backend that is dropped without close()
            // leaves no threads behind; they are re-created on the next call.
            ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), tf);
            pool.allowCoreThreadTimeOut(true);
            this.executor = pool;
        }
    }

    /** The worker count from {@value #THREADS_PROPERTY}, or the available processors. */
    static int configuredThreads() {
        String v = System.getProperty(THREADS_PROPERTY);
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n <= 0) {
                throw new IllegalArgumentException(THREADS_PROPERTY + ": must be a positive integer, got '" + v + "'");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(THREADS_PROPERTY + ": must be a positive integer, got '" + v + "'", e);
        }
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
        if (executor == null || tasks == 1) {
            for (int t = 0; t < tasks; t++) {
                task.accept(t);
            }
            return;
        }
        // Workers pull task indices from a shared counter: the split into tasks is fixed by the
        // caller, only which thread runs which task varies. The calling thread is one of the
        // workers: it would otherwise sit idle, and waking one thread fewer matters for calls of
        // a few tens of microseconds.
        AtomicInteger next = new AtomicInteger();
        int workers = Math.min(threads, tasks);
        Callable<Void> job = () -> {
            for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) {
                task.accept(t);
            }
            return null;
        };
        List<Future<Void>> futures = new ArrayList<>(workers - 1);
        for (int w = 1; w < workers; w++) {
            futures.add(executor.submit(job));
        }
        Throwable failure = null;
        try {
            job.call();
        } catch (Throwable e) {
            failure = e;
        }
        boolean interrupted = false;
        for (Future<Void> f : futures) {
            // Every worker is waited for, even after a failure, so no task outlives the call.
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException("cpu backend: worker failed", failure);
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdown();
        }
    }
}
