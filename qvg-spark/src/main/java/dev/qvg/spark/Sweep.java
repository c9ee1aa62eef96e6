package dev.qvg.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.cli.eval.MethodLabels;
import dev.qvg.cli.util.BadInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A sweep from start to end, on the driver:
 * <ol>
 *   <li>list the input files (names and metadata only);</li>
 *   <li>open the output folder: start it, resume the same sweep, or refuse ({@link OutputFolder});</li>
 *   <li>plan (a Spark job): each file's header is read on an executor, giving its tensors and
 *       shapes, or why the file cannot be used;</li>
 *   <li>cut the work into units, one per (file, tensor, configuration, slice batch), and leave out
 *       those an earlier run finished;</li>
 *   <li>compute (a Spark job, one task per unit, {@link UnitRunner}), showing progress per file;</li>
 *   <li>write the outputs from the unit files ({@link Outputs});</li>
 *   <li>with {@code --tune-*}, tune every tensor (a Spark job, {@link Tuning}); with
 *       {@code --compress}, join each input file's unit parts into its compressed files (a Spark job,
 *       {@link CompressedFiles});</li>
 *   <li>write the summary and the plots ({@link Report}).</li>
 * </ol>
 */
final class Sweep {

    /**
     * What to sweep.
     *
     * @param slicesPerTask slices of a tensor per unit, or 0 for every slice (one unit per tensor and
     *                      configuration, whose figures are then eval's exactly)
     * @param groupBytes    float32 bytes of a slice group within a unit, or 0 for the default
     * @param configs       the suite's configurations, then the distinct ones of {@code --config}
     * @param suite         how many of {@code configs} are the suite's (each a column of its own; the
     *                      rest make the one {@code tuned} column)
     * @param tuned         {@code --config}: tensor name to its configuration's index in {@code configs}
     * @param tunedFile     the {@code --config} file as given, or null
     * @param compress      {@code --compress DIR}, or null
     * @param tuneBase      the base configuration of {@code --tune-*} searches, or null
     * @param tune          the {@code --tune-*} search, or null
     */
    record Settings(List<String> inputs, Path out, List<String> tensors, String layout, String role, PathFields fields,
                    List<QuantizerConfig> configs, int slicesPerTask, long groupBytes, boolean plots, int suite,
                    Map<String, Integer> tuned, String tunedFile, Path compress, QuantizerConfig tuneBase,
                    Tuning.Spec tune) {
        Settings {
            inputs = List.copyOf(inputs);
            tensors = List.copyOf(tensors);
            configs = List.copyOf(configs);
            tuned = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tuned));
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(fields, "fields");
            if (suite < 1 || suite > configs.size()) {
                throw new IllegalArgumentException("suite: " + suite + " of " + configs.size() + " configurations");
            }
        }

        /** The same sweep with only the suite's configurations, nothing else. */
        Settings(List<String> inputs, Path out, List<String> tensors, String layout, String role, PathFields fields,
                 List<QuantizerConfig> configs, int slicesPerTask, long groupBytes, boolean plots) {
            this(inputs, out, tensors, layout, role, fields, configs, slicesPerTask, groupBytes, plots, configs.size(),
                    Map.of(), null, null, null, null);
        }
    }

    /**
     * What a run did.
     *
     * @param notes lines on what {@code --compress} and {@code --tune-*} did
     */
    record Outcome(int files, int units, int computed, int doneBefore, long headRows, int tensorRows,
                   List<Outputs.Skip> skips, List<String> summary, List<String> notes) {
    }

    private Sweep() {
    }

    static Outcome run(SparkSession spark, Settings s, PrintWriter out, PrintWriter err, boolean quiet) throws IOException {
        Path outDir = s.out().toAbsolutePath().normalize();
        Path compressDir = s.compress() == null ? null : s.compress().toAbsolutePath().normalize();
        List<InputFile> files = compressDir == null ? InputFiles.list(s.inputs(), outDir)
                : InputFiles.list(s.inputs(), outDir, compressDir);
        Path configsTmp = Files.createTempFile("qvg-sweep-configs", ".json");
        JsonNode configsJson;
        try {
            Configs.write(configsTmp, s.configs());
            configsJson = Json.MAPPER.readTree(configsTmp.toFile());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(configsTmp);
            throw e;
        }
        ObjectNode definition = definition(s, files, configsJson);
        CompressedFiles compressed;
        try {
            compressed = compressDir == null ? null
                    : CompressedFiles.check(compressDir, outDir, digest(definition), files, columns(s));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(configsTmp);
            throw e;
        }
        try (OutputFolder folder = OutputFolder.open(outDir, definition)) {
            Path configsFile = outDir.resolve(Configs.FILE);
            Path staged = outDir.resolve("." + Configs.FILE + ".tmp");
            Files.copy(configsTmp, staged, StandardCopyOption.REPLACE_EXISTING);
            Files.move(staged, configsFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (compressed != null) {
                compressed.claim();
            }
            return run(spark, s, files, folder, compressed, out, err, quiet);
        } finally {
            Files.deleteIfExists(configsTmp);
        }
    }

    /** The columns of the sweep by name: each configuration of the suite ({@code prq(2)-int2}), then {@code tuned}. */
    static List<String> columns(Settings s) {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < s.suite(); c++) {
            out.add(MethodLabels.of(s.configs().get(c)) + "-int" + s.configs().get(c).quant().bits());
        }
        if (!s.tuned().isEmpty()) {
            out.add(SweepCommand.TUNED);
        }
        return out;
    }

    /** SHA-256 of the definition as {@code sweep.json} records it: what a sweep is. */
    static String digest(ObjectNode definition) {
        try {
            byte[] text = Json.write(Json.read(Json.write(definition))).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(text));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Outcome run(SparkSession spark, Settings s, List<InputFile> files, OutputFolder folder,
                               CompressedFiles compressed, PrintWriter out, PrintWriter err, boolean quiet)
            throws IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<String> names = s.tensors();
        String layout = s.layout(), role = s.role();
        spark.sparkContext().setJobDescription("qvg sweep: reading " + files.size() + " file headers");
        List<FilePlan> plans = jsc.parallelize(files, Math.max(1, Math.min(files.size(), jsc.defaultParallelism() * 4)))
                .map(f -> FilePlan.of(f, names, layout, role)).collect();

        List<Outputs.Skip> planSkips = new ArrayList<>();
        List<Unit> units = new ArrayList<>();
        List<Tuning.TuneUnit> tuneUnits = new ArrayList<>();
        Map<Integer, List<String>> swept = new LinkedHashMap<>();
        int tensors = 0;
        for (FilePlan p : plans) {
            InputFile f = files.get(p.file());
            if (p.error() != null) {
                planSkips.add(new Outputs.Skip(f.name(), null, null, null, p.error()));
                continue;
            }
            for (String m : p.missing()) {
                planSkips.add(new Outputs.Skip(f.name(), m, null, null, "no tensor named '" + m + "' in the file"));
            }
            for (int t = 0; t < p.tensors().size(); t++) {
                FilePlan.TensorPlan tp = p.tensors().get(t);
                PathFields.Fields where;
                try {
                    where = s.fields().of(f.relPath(), tp.name());
                } catch (PathFields.NoMatch e) {
                    planSkips.add(new Outputs.Skip(f.name(), tp.name(), null, null, e.getMessage()));
                    continue;
                }
                tensors++;
                swept.computeIfAbsent(f.index(), k -> new ArrayList<>()).add(tp.name());
                int slices = tp.slices(), per = s.slicesPerTask() <= 0 ? slices : Math.min(slices, s.slicesPerTask());
                // the suite's configurations, then the tensor's tuned one (--config) when the file names it
                List<int[]> columns = new ArrayList<>(); // {config, column}
                for (int c = 0; c < s.suite(); c++) {
                    columns.add(new int[] {c, c});
                }
                Integer tunedConfig = s.tuned().get(tp.name());
                if (tunedConfig != null) {
                    columns.add(new int[] {tunedConfig, s.suite()});
                }
                for (int[] cc : columns) {
                    QuantizerConfig config = s.configs().get(cc[0]);
                    String label = cc[1] == s.suite() ? SweepCommand.TUNED : MethodLabels.of(config);
                    for (int first = 0; first < slices; first += per) {
                        units.add(new Unit(units.size(), f, t, tp.name(), tp.role(), tp.shape(), layout, cc[0], cc[1],
                                label, config.quant().bits(), first, Math.min(per, slices - first), where.prompt(),
                                where.layer()));
                    }
                }
                if (s.tune() != null) {
                    tuneUnits.add(new Tuning.TuneUnit(tuneUnits.size(), f, t, tp.name(), tp.role(), tp.shape(), layout,
                            where.prompt(), where.layer()));
                }
            }
        }
        int removed = folder.removeTemporaries();
        List<Unit> todo = new ArrayList<>();
        for (Unit u : units) {
            // a unit whose compressed file is still to write keeps its quantized slices until it is written
            if (!folder.done(u) || compressed != null && compressed.needsPart(u)) {
                todo.add(u);
            }
        }
        int doneBefore = units.size() - todo.size();
        int slots = Sessions.slotsPerJvm(spark);
        if (!quiet) {
            err.println(String.format(Locale.ROOT, "sweep: %d files (%d skipped), %d tensors, %d configurations: %d tasks%s; "
                            + "%s, %d task slots",
                    files.size(), plans.stream().filter(p -> p.error() != null).count(), tensors, s.configs().size(),
                    units.size(), folder.resumed() ? " (" + doneBefore + " done by an earlier run" + (removed > 0 ? ", "
                            + removed + " unfinished attempts cleared" : "") + ")" : "",
                    spark.sparkContext().master(), jsc.defaultParallelism()));
            err.flush();
        }
        if (units.isEmpty() && planSkips.size() > 0 && tensors == 0) {
            Outputs.writeLines(folder.dir().resolve(Outputs.SKIPPED), planSkips.stream().map(k -> Json.write(k.json())).toList());
            throw new BadInputException("no usable tensor in " + files.size() + " input file" + (files.size() == 1 ? "" : "s")
                    + " (first: " + planSkips.get(0).file() + ": " + planSkips.get(0).reason() + "); see "
                    + folder.dir().resolve(Outputs.SKIPPED));
        }
        if (!s.tuned().isEmpty() && units.stream().noneMatch(u -> u.column() == s.suite()) && !quiet) {
            err.println("sweep: --config " + s.tunedFile() + " configures " + String.join(", ", s.tuned().keySet())
                    + " but no tensor of the inputs has such a name: no '" + SweepCommand.TUNED + "' rows");
        }
        if (!todo.isEmpty()) {
            compute(spark, jsc, todo, new UnitRunner.Context(folder.dir().toString(), s.groupBytes(), slots,
                    compressed != null), err, quiet);
            folder.removeTemporaries();
        }
        spark.sparkContext().setJobDescription("qvg sweep: writing the outputs");
        Outputs.Result result = Outputs.write(spark, folder.dir(), units, planSkips);
        List<Outputs.Skip> skips = new ArrayList<>(result.skips());
        List<String> notes = new ArrayList<>();
        if (s.tune() != null && !tuneUnits.isEmpty()) {
            if (!s.tensors().isEmpty()) {
                // each file's tensors in --tensor's order, as qvg tune --tensor writes them
                tuneUnits.sort(java.util.Comparator.comparingInt((Tuning.TuneUnit u) -> u.file().index())
                        .thenComparingInt(u -> s.tensors().indexOf(u.tensor())));
            }
            Tuning.Outcome tuned = Tuning.run(jsc, folder.dir(), s.tuneBase(), s.tune(), tuneUnits);
            skips.addAll(tuned.skips());
            notes.add(Tuning.summary(tuned, s.tune(), folder.dir()));
        }
        if (compressed != null) {
            CompressedFiles.Outcome c = compressed.run(jsc, units, result.unitSkips(), swept, s.tuned().isEmpty() ? -1
                    : s.suite(), s.tunedFile(), s.tensors());
            skips.addAll(c.skips());
            notes.add(CompressedFiles.summary(c, compressed.dir()));
            folder.removeTemporaries();
        }
        if (skips.size() > result.skips().size()) {
            Outputs.writeLines(folder.dir().resolve(Outputs.SKIPPED), skips.stream().map(k -> Json.write(k.json())).toList());
        }
        List<String> summary = Report.write(spark, folder.dir(), result.tensorRows(), s.plots());
        return new Outcome(files.size(), units.size(), todo.size(), doneBefore, result.headRows(),
                result.tensorRows().size(), List.copyOf(skips), summary, List.copyOf(notes));
    }

    private static void compute(SparkSession spark, JavaSparkContext jsc, List<Unit> todo, UnitRunner.Context ctx,
                                PrintWriter err, boolean quiet) {
        SweepProgress progress = quiet ? null : new SweepProgress(todo, err);
        if (progress != null) {
            spark.sparkContext().addSparkListener(progress);
        }
        try {
            spark.sparkContext().setJobGroup(SweepProgress.JOB_GROUP, "qvg sweep: " + todo.size() + " tasks", false);
            jsc.parallelize(todo, todo.size()).map(u -> UnitRunner.run(u, ctx)).collect();
        } finally {
            spark.sparkContext().clearJobGroup();
            if (progress != null) {
                // task-end events reach listeners asynchronously: let the last lines print before the report
                long deadline = System.nanoTime() + 2_000_000_000L;
                while (progress.tasksSeen() < todo.size() && System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                spark.sparkContext().removeSparkListener(progress);
            }
        }
    }

    /** The record of what this sweep is, in {@code sweep.json}: what a rerun must match to resume. */
    static ObjectNode definition(Settings s, List<InputFile> files, JsonNode configs) {
        ObjectNode d = Json.MAPPER.createObjectNode();
        d.put("format", OutputFolder.FORMAT);
        ArrayNode fs = d.putArray("files");
        for (InputFile f : files) {
            ObjectNode o = fs.addObject();
            o.put("name", f.name());
            o.put("path", f.path());
            o.put("size", f.size());
            o.put("mtime", f.mtime());
        }
        ArrayNode t = d.putArray("tensors");
        s.tensors().forEach(t::add);
        d.put("layout", s.layout());
        if (s.role() == null) {
            d.putNull("role");
        } else {
            d.put("role", s.role());
        }
        if (s.fields().userPattern() == null) {
            d.putNull("pattern");
        } else {
            d.put("pattern", s.fields().userPattern());
        }
        d.put("slices_per_task", s.slicesPerTask());
        d.set("configurations", configs.get("tensors"));
        if (!s.tuned().isEmpty()) {
            // --config: which configuration (c<index>) is each named tensor's 'tuned' one
            ObjectNode tuned = d.putObject("tuned");
            s.tuned().forEach((name, c) -> tuned.put(name, "c" + c));
        }
        return d;
    }

    /** The skip records grouped for people: per file, tensor and reason, with how many configurations it hit. */
    static List<String> skipLines(List<Outputs.Skip> skips) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (Outputs.Skip k : skips) {
            String key = k.file() + (k.tensor() == null ? "" : ": tensor '" + k.tensor() + "'") + "\u0000" + k.reason();
            counts.computeIfAbsent(key, x -> new int[1])[0] += k.label() == null ? 0 : 1;
        }
        List<String> out = new ArrayList<>();
        counts.forEach((key, n) -> {
            String[] parts = key.split("\u0000", 2);
            out.add("  " + parts[0] + (n[0] == 0 ? "" : " (" + n[0] + " configuration" + (n[0] == 1 ? "" : "s") + ")")
                    + ": " + parts[1]);
        });
        return out;
    }
}
