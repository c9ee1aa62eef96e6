package dev.qvg.spark;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Progress of a sweep's compute job on the driver's stderr: one line per finished input file
 * (every unit of it done) with the overall count of files and tasks, the time so far and an
 * estimate of the time left from the slices done. A retried or speculative task counts once.
 * Lines, not a redrawn bar: the same output reads well in a terminal and in a cluster's driver log.
 */
final class SweepProgress extends SparkListener {

    static final String JOB_GROUP = "qvg-sweep-units";

    private final List<Unit> todo;
    private final PrintWriter err;
    private final Map<Integer, Integer> leftPerFile = new HashMap<>();
    private final int files;
    private final long totalSlices;
    private final Set<Integer> stages = new HashSet<>();
    private final Set<Integer> finished = new HashSet<>();
    private final long start = System.nanoTime();
    private int filesDone;
    private long slicesDone;

    SweepProgress(List<Unit> todo, PrintWriter err) {
        this.todo = todo;
        this.err = err;
        long slices = 0;
        for (Unit u : todo) {
            leftPerFile.merge(u.file().index(), 1, Integer::sum);
            slices += u.count();
        }
        this.files = leftPerFile.size();
        this.totalSlices = Math.max(1, slices);
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart e) {
        Properties p = e.properties();
        if (p != null && JOB_GROUP.equals(p.getProperty("spark.jobGroup.id"))) {
            for (Object id : scala.jdk.javaapi.CollectionConverters.asJava(e.stageIds())) {
                stages.add((Integer) id);
            }
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
        if (!stages.contains(e.stageId()) || !e.taskInfo().successful()) {
            return;
        }
        int index = e.taskInfo().index();
        if (index < 0 || index >= todo.size() || !finished.add(index)) {
            return;
        }
        Unit u = todo.get(index);
        slicesDone += u.count();
        int left = leftPerFile.merge(u.file().index(), -1, Integer::sum);
        if (left == 0) {
            filesDone++;
            double secs = (System.nanoTime() - start) / 1e9;
            double eta = slicesDone >= totalSlices ? 0 : secs * (totalSlices - slicesDone) / slicesDone;
            String where = PathFields.describe(new PathFields.Fields(u.prompt(), u.layer()));
            err.println(String.format(Locale.ROOT, "[%d/%d files, %d/%d tasks, %s, %s left] %s%s", filesDone, files,
                    finished.size(), todo.size(), duration(secs), duration(eta), u.file().name(),
                    where.isEmpty() ? "" : " (" + where + ")"));
            err.flush();
        }
    }

    synchronized int tasksSeen() {
        return finished.size();
    }

    static String duration(double secs) {
        long s = Math.round(secs);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        return s / 3600 + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
    }
}
