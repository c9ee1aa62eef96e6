package dev.qvg.spark;

import dev.qvg.cli.util.FirstLine;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.metrics.ErrorAccumulator;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.quant.BitBudget;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.cli.eval.EvalResult;
import dev.qvg.cli.eval.GroupedRun;
import dev.qvg.cli.eval.InputTensors;
import dev.qvg.cli.eval.OpenPipeline;
import dev.qvg.cli.eval.ResultJson;
import dev.qvg.cli.eval.TensorFiles;
import dev.qvg.cli.eval.TensorSource;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.io.SliceGroups;
import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.TaskContext;

/**
 * Runs one {@link Unit} on an executor: maps the input file, reads the unit's slices a group at a
 * time (bounded memory whatever the tensor's size), quantizes each group with
 * {@code Quantizer.quantizeSlices} at its place in the tensor (the bits of quantizing the whole
 * tensor), decodes it, and measures each slice (one row per head) and the whole unit (the
 * tensor's row when the unit is the whole tensor: eval's figures exactly, as eval streams a tensor
 * the same way).
 *
 * <p>The rows go to the unit's own file in the output folder, written under a hidden temporary
 * name unique to the task attempt and renamed into place only when complete (after an fsync): a
 * task killed half-way leaves no visible rows, a retried or speculative attempt replaces the file
 * with the same rows, so the output never holds a unit twice or in part. Bad input (a file that
 * cannot be read, a tensor the method cannot take, a non-finite value) is written as the unit's
 * skip record with the reason instead of failing the task; anything else fails the task, which
 * Spark retries.
 */
final class UnitRunner {

    /** System property naming the cpu backend's worker count (qvg-cpu's WorkerPool). */
    static final String CPU_THREADS_PROPERTY = "qvg.cpu.threads";

    /** Points where {@link #hook} is called. */
    static final String AFTER_FIRST_GROUP = "after-first-group";
    static final String AFTER_COMMIT = "after-commit";

    /** Test hook, called in the task's thread at the points above; it may throw to kill the attempt. */
    interface Hook {
        void at(String point, Unit unit, int attempt);
    }

    static volatile Hook hook;

    /**
     * What every task needs besides its unit.
     *
     * @param out        the output folder (absolute, the same path on every executor)
     * @param groupBytes float32 bytes of one slice group, or 0 for the default (64 MiB or a twelfth of
     *                   the executor heap shared by its concurrent tasks)
     * @param slotsPerJvm tasks that run at once in one executor JVM
     * @param parts      whether units also keep their quantized slices for {@code --compress} ({@link UnitPart})
     */
    record Context(String out, long groupBytes, int slotsPerJvm, boolean parts) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * Each task thread's quantizers, by configuration and backend thread count: assembling a pipeline
     * (Guice, the backend's pools) costs more than a small unit's work, and an executor runs many
     * units of the same few configurations. Spark reuses its task threads, so each keeps its own
     * (a quantizer is then never shared between concurrent tasks); backends' idle worker threads end
     * by themselves.
     */
    private static final ThreadLocal<java.util.Map<PipelineKey, OpenPipeline>> PIPELINES =
            ThreadLocal.withInitial(java.util.HashMap::new);

    private UnitRunner() {
    }

    private static OpenPipeline pipeline(QuantizerConfig config, int cpus) {
        return PIPELINES.get().computeIfAbsent(new PipelineKey(cpus, config), k -> OpenPipeline.open(config));
    }

    private record PipelineKey(int cpus, QuantizerConfig config) {
    }

    static UnitStatus run(Unit u, Context ctx) throws IOException {
        TaskContext tc = TaskContext.get();
        int attempt = tc == null ? 0 : tc.attemptNumber();
        long attemptId = tc == null ? 0 : tc.taskAttemptId();
        // one task per core by default (spark.task.cpus = 1): each task's backend gets its task's cores,
        // so concurrent tasks do not oversubscribe the machine; the bits do not depend on the count
        int cpus = tc == null ? Runtime.getRuntime().availableProcessors() : Math.max(1, tc.cpus());
        System.setProperty(CPU_THREADS_PROPERTY, Integer.toString(cpus));
        Path out = Path.of(ctx.out());
        Path target = out.resolve(u.resultPath());
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + attemptId + "-" + attempt + ".tmp");
        long t0 = System.nanoTime();
        String reason = null;
        // a killed attempt leaves its temporary files: the driver clears those before and after the compute job
        try (UnitPart part = ctx.parts() ? new UnitPart(out, u, attemptId + "-" + attempt) : null) {
            try (BufferedWriter w = writer(tmp)) {
                try {
                    List<QuantizerConfig> configs = Configs.cached(out.resolve(Configs.FILE));
                    compute(u, configs.get(u.config()), groupBytes(ctx, cpus), cpus, w, part, attempt);
                } catch (BadInputException | IllegalArgumentException | IOException | UncheckedIOException e) {
                    reason = reasonOf(e);
                }
            }
            if (reason != null) {
                // bad input: the unit's record says why; the rows written before it are dropped
                try (BufferedWriter w = writer(tmp)) {
                    writeHeader(w, u, reason);
                }
            }
            if (part != null) {
                // the part (or why there is none) before the rows: a unit with rows has its part
                part.finish(reason);
            }
        }
        commit(tmp, target);
        Hook h = hook;
        if (h != null) {
            h.at(AFTER_COMMIT, u, attempt);
        }
        return new UnitStatus(u.id(), reason, (System.nanoTime() - t0) / 1e9, u.count());
    }

    private static long groupBytes(Context ctx, int cpus) {
        if (ctx.groupBytes() > 0) {
            return ctx.groupBytes();
        }
        // a run holds a few groups at once, like eval's (see GroupOptions): a twelfth of this task's share of the heap
        long share = Runtime.getRuntime().maxMemory() / Math.max(1, ctx.slotsPerJvm()) / 12;
        return Math.max(1, Math.min(SliceGroups.DEFAULT_BUDGET_BYTES, share));
    }

    private static void compute(Unit u, QuantizerConfig config, long groupBytes, int cpus, BufferedWriter w, UnitPart part,
                                int attempt) throws IOException {
        Path path = Path.of(u.file().path());
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        if (attrs.size() != u.file().size() || attrs.lastModifiedTime().toMillis() != u.file().mtime()) {
            throw new BadInputException(u.file().name() + " changed after the sweep listed it (size or modification"
                    + " time); run the sweep again into a new --out");
        }
        KvRole role = KvRole.parse(u.role());
        try (InputTensors in = TensorFiles.open(path, List.of(u.tensor()), Layout.parse(u.layout()), role)) {
            TensorSource t = in.tensors().get(0);
            KvShape shape = t.shape();
            if (!Arrays.equals(new int[] {shape.batch(), shape.heads(), shape.tokens(), shape.headDim()}, u.shape())) {
                throw new BadInputException(u.file().name() + ": tensor '" + u.tensor() + "' is " + shape + ", planned as "
                        + Arrays.toString(u.shape()) + " (the file changed)");
            }
            run(u, t, config, pipeline(config, cpus).quantizer(), groupBytes, cpus, w, part, attempt);
        }
    }

    private static void run(Unit u, TensorSource t, QuantizerConfig config, Quantizer q, long groupBytes, int cpus,
                            BufferedWriter w, UnitPart keep, int attempt) throws IOException {
        KvShape shape = t.shape();
        int S = shape.tokens(), D = shape.headDim(), H = shape.heads(), sliceSize = S * D;
        KvShape part = new KvShape(1, u.count(), S, D);
        // the tensor's own name in the refusal, as eval gives it
        GroupedRun.requireFits(new TensorSource(t.name(), t.role(), t.slices()), q);
        BitBudget sliceBudget = q.budget(new KvShape(1, 1, S, D), t.role());
        SliceGroups groups = SliceGroups.plan(part, groupBytes, cpus);
        writeHeader(w, u, null);
        ErrorAccumulator unitError = new ErrorAccumulator(D);
        SliceSums unitSums = new SliceSums(D);
        BitBudget budget = null;
        int[] iters = new int[0];
        long qNanos = 0, dqNanos = 0;
        float[] x = null, recon = null;
        SliceSums[] headSums = new SliceSums[u.count()];
        ErrorMetrics[] headMetrics = new ErrorMetrics[u.count()];
        int[][] headIters = new int[u.count()][];
        for (int g = 0; g < groups.count(); g++) {
            int rel = groups.first(g), count = groups.size(g), first = u.first() + rel, size = count * sliceSize;
            if (x == null || x.length != size) {
                x = new float[size];
                recon = new float[size];
            }
            t.slices().read(first, count, x);
            long a = System.nanoTime();
            QuantizedKv qp = q.quantizeSlices(KvTensor.wrap(new KvShape(1, count, S, D), x), t.role(), first);
            long b = System.nanoTime();
            q.dequantizeInto(qp, recon, 0, sliceSize);
            long c = System.nanoTime();
            qNanos += b - a;
            dqNanos += c - b;
            if (keep != null) {
                keep.group(config, qp, rel, recon, shape, first, count);
            }
            budget = budget == null ? qp.budget() : budget.plus(qp.budget());
            int[] groupIters = dev.qvg.cli.eval.Evaluator.sliceMajor(qp.kmeansIterations());
            iters = concat(iters, groupIters);
            unitError.add(x, recon, size);
            int stagesPerSlice = groupIters.length / count;
            for (int i = 0; i < count; i++) {
                int from = i * sliceSize;
                ErrorAccumulator one = new ErrorAccumulator(D);
                one.add(Arrays.copyOfRange(x, from, from + sliceSize), Arrays.copyOfRange(recon, from, from + sliceSize),
                        sliceSize);
                SliceSums sums = new SliceSums(D);
                sums.add(x, recon, from, sliceSize);
                unitSums.plus(sums);
                headMetrics[rel + i] = one.result();
                headSums[rel + i] = sums;
                headIters[rel + i] = Arrays.copyOfRange(groupIters, i * stagesPerSlice, (i + 1) * stagesPerSlice);
            }
            Hook h = hook;
            if (g == 0 && h != null) {
                // the task's file already holds the header: a kill here leaves a partial temporary file
                w.flush();
                h.at(AFTER_FIRST_GROUP, u, attempt);
            }
        }
        double qSecs = qNanos / 1e9, dqSecs = dqNanos / 1e9;
        for (int i = 0; i < u.count(); i++) {
            int slice = u.first() + i;
            // a head's time: its unit's time shared evenly among the unit's slices
            EvalResult r = new EvalResult(t.name(), t.role(), shape, config, headMetrics[i], sliceBudget, headIters[i],
                    qSecs / u.count(), dqSecs / u.count(), null, Double.NaN, u.label());
            ObjectNode o = ResultJson.node(r);
            placeFields(o, u);
            o.put("batch", slice / H);
            o.put("head", slice % H);
            o.put("slice", slice);
            Json.putDouble(o, "sum_sq_err", headSums[i].err2());
            Json.putDouble(o, "sum_sq_ref", headSums[i].ref2());
            w.write(Json.write(o));
            w.newLine();
        }
        EvalResult whole = new EvalResult(t.name(), t.role(), shape, config, unitError.result(), budget, iters, qSecs,
                dqSecs, null, Double.NaN, u.label());
        ObjectNode batch = Json.MAPPER.createObjectNode();
        ObjectNode sums = batch.putObject("batch");
        sums.put("first", u.first());
        sums.put("count", u.count());
        unitSums.write(sums);
        ObjectNode result = ResultJson.node(whole);
        placeFields(result, u);
        batch.set("result", result);
        w.write(Json.write(batch));
        w.newLine();
    }

    /** The fields that place a row in the study: file, prompt, layer. */
    static void placeFields(ObjectNode o, Unit u) {
        placeFields(o, u.file().name(), u.prompt(), u.layer());
    }

    /** The placing fields of a row of file {@code file}: its prompt and layer may be unknown (null). */
    static void placeFields(ObjectNode o, String file, String prompt, Integer layer) {
        o.put("file", file);
        if (prompt == null) {
            o.putNull("prompt");
        } else {
            o.put("prompt", prompt);
        }
        if (layer == null) {
            o.putNull("layer");
        } else {
            o.put("layer", layer);
        }
    }

    /** The unit file's first line: which unit it is and, when skipped, why. */
    private static void writeHeader(BufferedWriter w, Unit u, String reason) throws IOException {
        ObjectNode h = Json.MAPPER.createObjectNode();
        ObjectNode unit = h.putObject("unit");
        unit.put("id", u.id());
        unit.put("file", u.file().name());
        unit.put("tensor", u.tensor());
        unit.put("config", u.config());
        unit.put("first", u.first());
        unit.put("count", u.count());
        if (reason == null) {
            h.put("status", "ok");
        } else {
            h.put("status", "skipped");
            h.put("reason", reason);
        }
        w.write(Json.write(h));
        w.newLine();
    }

    private static BufferedWriter writer(Path tmp) throws IOException {
        return new BufferedWriter(new OutputStreamWriter(new FileOutputStream(tmp.toFile()), StandardCharsets.UTF_8));
    }

    /** fsync, then an atomic rename over any earlier attempt's file. */
    static void commit(Path tmp, Path target) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** One line naming what was wrong with the input. */
    static String reasonOf(Throwable e) {
        Throwable t = e;
        while ((t instanceof UncheckedIOException || t.getMessage() == null) && t.getCause() != null
                && t.getCause() != t) {
            t = t.getCause();
        }
        return FirstLine.of(t instanceof java.nio.file.NoSuchFileException n ? "no such file: " + n.getFile()
                : t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
