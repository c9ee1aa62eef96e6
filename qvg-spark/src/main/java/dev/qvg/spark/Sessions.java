package dev.qvg.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a sweep. Under {@code spark-submit} the master and everything else come from
 * it; run directly ({@code ./qvg-sweep}) the sweep runs embedded in local mode on every core, with
 * no set-up: no web UI, bound to the loopback address, and up to 4 attempts per task as on a
 * cluster (plain {@code local[N]} gives a task a single attempt).
 */
final class Sessions {

    /** Attempts per task in local mode, Spark's default {@code spark.task.maxFailures} on a cluster. */
    static final int LOCAL_ATTEMPTS = 4;

    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)\\])?");

    private Sessions() {
    }

    /**
     * @param master a master URL given on the command line, or null for spark-submit's, else local mode
     */
    static SparkSession open(String master) {
        SparkConf conf = new SparkConf(); // spark.* system properties: what spark-submit passes
        if (master != null) {
            conf.setMaster(withAttempts(master));
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*," + LOCAL_ATTEMPTS + "]");
        }
        conf.setIfMissing("spark.app.name", "qvg sweep");
        // the rows' 36 columns: Spark would otherwise warn that it truncates a plan's description
        conf.setIfMissing("spark.sql.debug.maxToStringFields", "200");
        if (isLocal(conf.get("spark.master"))) {
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            conf.setIfMissing("spark.sql.shuffle.partitions", "8");
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /** {@code local} and {@code local[N]} with {@link #LOCAL_ATTEMPTS} attempts per task; any other URL as it is. */
    static String withAttempts(String master) {
        Matcher m = LOCAL.matcher(master);
        if (!m.matches()) {
            return master;
        }
        return "local[" + (m.group(1) == null ? "1" : m.group(1)) + "," + LOCAL_ATTEMPTS + "]";
    }

    static boolean isLocal(String master) {
        return master.startsWith("local");
    }

    /** Tasks that run at once in one JVM: local mode's threads, else an executor's cores over the cores per task. */
    static int slotsPerJvm(SparkSession spark) {
        SparkConf conf = spark.sparkContext().getConf();
        int taskCpus = Math.max(1, conf.getInt("spark.task.cpus", 1));
        if (isLocal(conf.get("spark.master"))) {
            return Math.max(1, spark.sparkContext().defaultParallelism() / taskCpus);
        }
        return Math.max(1, conf.getInt("spark.executor.cores", 1) / taskCpus);
    }
}
