package dev.qvg.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.io.QuantizedKvStreamReader;
import dev.qvg.io.QuantizedKvStreamWriter;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code qvg sweep --compress DIR}: for every input file and configuration, the quantized-cache
 * file {@code qvg compress} writes for that file under that configuration (the same bytes), at
 * {@code DIR/<path relative to its input>.<configuration>.qvg.safetensors}, e.g.
 * {@code DIR/p1/layer_3.safetensors.prq_2_-int2.qvg.safetensors} ({@code tuned} for the tuned
 * configurations of {@code --config}, whose file is {@code qvg compress --config}'s).
 *
 * <p>How, keeping the sweep's work unit: each unit keeps the quantized slices it measured as a
 * part file ({@link UnitPart}: nothing is quantized twice, memory stays a few slice groups); then
 * one Spark task per (file, configuration) joins the file's parts, tensor by tensor in slice order,
 * into the output through {@link QuantizedKvStreamWriter} (the writer {@code qvg compress} uses,
 * reading the parts back a bounded group of slices at a time), published atomically: a hidden
 * temporary file beside the target renamed into place when complete, so a killed task leaves
 * nothing visible and a retried one writes the same file. The parts of a written file are then
 * deleted.
 *
 * <p>Reruns: a file already in {@code DIR} is complete (it appears only by that rename) and is
 * kept; units whose file is missing and whose part is gone are computed again. {@code DIR} records
 * whose files it holds ({@value #MARKER}): another sweep's folder, or a non-empty folder that is no
 * sweep's, is refused.
 */
final class CompressedFiles {

    static final String MARKER = ".qvg-sweep-compress.json";
    static final String FORMAT = "qvg-sweep-compress/1";
    static final String SUFFIX = ".qvg.safetensors";
    /** Point of {@link UnitRunner#hook} in an assembly task, after the parts are written and before the file is published. */
    static final String BEFORE_PUBLISH = "before-publish";
    /** Bytes of quantized data read from a part at a time. */
    private static final long READ_BYTES = 64L << 20;

    private final Path dir;
    private final Path out;
    private final String sweep;
    private final List<String> slugs;

    /** What one run did. */
    record Outcome(int written, int earlier, List<Outputs.Skip> skips) {
    }

    /** One output file: the units of one input file under one column, in tensor and slice order. */
    record Group(int file, int column, String target, List<Unit> units) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    private CompressedFiles(Path dir, Path out, String sweep, List<String> slugs) {
        this.dir = dir;
        this.out = out;
        this.sweep = sweep;
        this.slugs = List.copyOf(slugs);
    }

    Path dir() {
        return dir;
    }

    /**
     * Checks, before anything is written, that {@code dir} can take the files of the sweep in
     * {@code out} whose definition digests to {@code sweep}: new or empty, or holding this sweep's
     * files; refuses input files that would mirror to the same place. {@link #claim()} then
     * marks it.
     *
     * @param columns the column names: a configuration's label and bits, or {@code tuned}
     */
    static CompressedFiles check(Path dir, Path out, String sweep, List<InputFile> files, List<String> columns)
            throws IOException {
        dir = dir.toAbsolutePath().normalize();
        Map<String, InputFile> byRel = new HashMap<>();
        for (InputFile f : files) {
            InputFile other = byRel.putIfAbsent(f.relPath(), f);
            if (other != null) {
                throw new BadInputException("--compress " + dir + ": the inputs " + other.name() + " and " + f.name()
                        + " would both be written as " + f.relPath() + ".*" + SUFFIX + " (the same path under their"
                        + " --input folders); give their common folder as one --input");
            }
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadInputException("--compress " + dir + " is a file, expected a folder");
        }
        Path marker = dir.resolve(MARKER);
        if (!Files.exists(dir)) {
            return new CompressedFiles(dir, out, sweep, slugs(columns));
        }
        if (Files.exists(marker)) {
            JsonNode m;
            try {
                m = Json.MAPPER.readTree(marker.toFile());
            } catch (IOException e) {
                throw new BadInputException("--compress " + dir + ": its " + MARKER + " is unreadable (" + e.getMessage()
                        + "); give another folder, or delete it");
            }
            if (!FORMAT.equals(m.path("format").asText()) || !sweep.equals(m.path("sweep_sha256").asText())) {
                throw new BadInputException("--compress " + dir + " holds the compressed files of another sweep (--out "
                        + m.path("out").asText("?") + "); give another folder, or delete it to compress this sweep there");
            }
        } else {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                if (s.iterator().hasNext()) {
                    throw new BadInputException("--compress " + dir + " is not empty and holds no sweep's compressed files"
                            + " (no " + MARKER + "); give a new or empty folder");
                }
            }
        }
        return new CompressedFiles(dir, out, sweep, slugs(columns));
    }

    /** Creates the folder and records that it holds this sweep's files (once the sweep's own folder is open). */
    void claim() throws IOException {
        Files.createDirectories(dir);
        Path marker = dir.resolve(MARKER);
        if (Files.exists(marker)) {
            return;
        }
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("format", FORMAT);
        m.put("out", out.toString());
        m.put("sweep_sha256", sweep);
        Path tmp = dir.resolve("." + MARKER + ".tmp");
        Files.writeString(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n",
                StandardCharsets.UTF_8);
        UnitRunner.commit(tmp, marker);
    }

    /** File-name forms of the columns: {@code prq_2_-int2}, {@code tuned}; a repeated one gets {@code -c<column>}. */
    static List<String> slugs(List<String> columns) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int c = 0; c < columns.size(); c++) {
            String s = columns.get(c).replaceAll("[^A-Za-z0-9._-]+", "_");
            if (!seen.add(s)) {
                s = s + "-c" + c;
                seen.add(s);
            }
            out.add(s);
        }
        return out;
    }

    Path target(InputFile f, int column) {
        return dir.resolve(f.relPath() + "." + slugs.get(column) + SUFFIX);
    }

    /** Whether {@code u} must (again) keep its part: its file is not written, and its part or reason is not there. */
    boolean needsPart(Unit u) {
        boolean written = writtenBefore.computeIfAbsent(u.file().index() + "/" + u.column(),
                k -> Files.exists(target(u.file(), u.column())));
        return !written && !Files.exists(out.resolve(u.partPath())) && !Files.exists(out.resolve(u.noPartPath()));
    }

    /** Whether each (file, column)'s output was there when the run planned its units. */
    private final Map<String, Boolean> writtenBefore = new HashMap<>();

    /**
     * Writes every missing output file from the units' parts (a Spark job, one task per file), after
     * the units ran.
     *
     * @param unitSkips  why skipped units were skipped, by unit id
     * @param swept      each input file's swept tensors, in file order
     * @param tunedFile  the {@code --config} file, or null
     * @param order      {@code --tensor}'s names: the entries' order, as {@code qvg compress --tensor} writes
     *                   them (empty: file order)
     */
    Outcome run(JavaSparkContext jsc, List<Unit> units, Map<Integer, String> unitSkips, Map<Integer, List<String>> swept,
                int tunedColumn, String tunedFile, List<String> order) throws IOException {
        Map<String, List<Unit>> byTarget = new LinkedHashMap<>();
        for (Unit u : units) {
            byTarget.computeIfAbsent(u.file().index() + "/" + u.column(), k -> new ArrayList<>()).add(u);
        }
        if (!order.isEmpty()) {
            // a stable sort: slices stay in order within a tensor
            byTarget.values().forEach(us -> us.sort(java.util.Comparator.comparingInt(u -> order.indexOf(u.tensor()))));
        }
        List<Group> todo = new ArrayList<>();
        List<Outputs.Skip> skips = new ArrayList<>();
        int earlier = 0;
        for (List<Unit> us : byTarget.values()) {
            Unit first = us.get(0);
            Path target = target(first.file(), first.column());
            if (Files.exists(target)) {
                earlier++;
                continue;
            }
            String why = null;
            if (first.column() == tunedColumn) {
                Set<String> configured = new LinkedHashSet<>();
                us.forEach(u -> configured.add(u.tensor()));
                for (String t : swept.getOrDefault(first.file().index(), List.of())) {
                    if (!configured.contains(t)) {
                        why = "tensor '" + t + "' has no configuration in " + tunedFile;
                        break;
                    }
                }
            }
            for (int i = 0; i < us.size() && why == null; i++) {
                Unit u = us.get(i);
                if (unitSkips.containsKey(u.id())) {
                    why = "tensor '" + u.tensor() + "' was skipped (" + unitSkips.get(u.id()) + ")";
                } else if (Files.exists(out.resolve(u.noPartPath()))) {
                    why = "tensor '" + u.tensor() + "': " + UnitPart.reason(out.resolve(u.noPartPath()));
                } else if (!Files.exists(out.resolve(u.partPath()))) {
                    why = "the quantized slices of tensor '" + u.tensor() + "' are missing (" + out.resolve(u.partPath())
                            + "); run the sweep again";
                }
            }
            if (why != null) {
                skips.add(skip(first, why));
            } else {
                todo.add(new Group(first.file().index(), first.column(), target.toString(), List.copyOf(us)));
            }
        }
        int written = 0;
        if (!todo.isEmpty()) {
            removeTemporaries(todo);
            String outText = out.toString();
            jsc.sc().setJobDescription("qvg sweep: writing " + todo.size() + " compressed files");
            List<String> reasons = jsc.parallelize(todo, todo.size()).map(g -> assemble(g, outText)).collect();
            removeTemporaries(todo);
            for (int i = 0; i < todo.size(); i++) {
                if (reasons.get(i) == null) {
                    written++;
                } else {
                    skips.add(skip(todo.get(i).units().get(0), reasons.get(i)));
                }
            }
        }
        // the parts of every file now written are no longer needed
        for (List<Unit> us : byTarget.values()) {
            if (Files.exists(target(us.get(0).file(), us.get(0).column()))) {
                for (Unit u : us) {
                    Files.deleteIfExists(out.resolve(u.partPath()));
                    Files.deleteIfExists(out.resolve(u.noPartPath()));
                }
            }
        }
        return new Outcome(written, earlier, List.copyOf(skips));
    }

    private static Outputs.Skip skip(Unit u, String why) {
        boolean tuned = u.label().equals(SweepCommand.TUNED);
        return new Outputs.Skip(u.file().name(), null, u.label(), tuned ? null : u.bits(), "not compressed: " + why);
    }

    /**
     * Joins the parts of {@code g} into its output file (on an executor); returns null when the file
     * is written, else why it cannot be (a part unreadable or refused by the writer).
     */
    static String assemble(Group g, String outText) throws IOException {
        Path out = Path.of(outText);
        Path target = Path.of(g.target());
        Files.createDirectories(target.getParent());
        List<QuantizerConfig> configs = Configs.cached(out.resolve(Configs.FILE));
        // the file records the config when all its entries share one, as qvg compress's does
        Set<Integer> used = new LinkedHashSet<>();
        g.units().forEach(u -> used.add(u.config()));
        QuantizerConfig one = used.size() == 1 ? configs.get(used.iterator().next()) : null;
        try (QuantizedKvStreamWriter w = QuantizedKvStreamWriter.create(target, one, true)) {
            for (Unit u : g.units()) {
                if (u.first() == 0) {
                    w.beginEntry(u.tensor(), u.kvShape());
                }
                try (QuantizedKvStreamReader r = QuantizedKvStreamReader.open(out.resolve(u.partPath()))) {
                    String name = r.entries().get(0);
                    long perSlice = Math.max(1, r.entry(name).budget().totalBytes() / u.count());
                    int step = (int) Math.max(1, Math.min(u.count(), READ_BYTES / perSlice));
                    for (int rel = 0; rel < u.count(); rel += step) {
                        QuantizedKv part = r.part(name, rel, Math.min(step, u.count() - rel));
                        w.write(part, u.first() + rel);
                    }
                }
            }
            UnitRunner.Hook h = UnitRunner.hook;
            if (h != null) {
                h.at(BEFORE_PUBLISH, g.units().get(0), org.apache.spark.TaskContext.get() == null ? 0
                        : org.apache.spark.TaskContext.get().attemptNumber());
            }
            w.commit();
            return null;
        } catch (IllegalArgumentException | dev.qvg.io.CorruptFileException e) {
            return UnitRunner.reasonOf(e);
        }
    }

    /** Removes the hidden temporary files killed writers left beside the targets of {@code groups}. */
    private static void removeTemporaries(List<Group> groups) throws IOException {
        for (Group g : groups) {
            Path target = Path.of(g.target());
            Path parent = target.getParent();
            if (!Files.isDirectory(parent)) {
                continue;
            }
            String prefix = "." + target.getFileName() + ".qvgtmp-";
            try (DirectoryStream<Path> s = Files.newDirectoryStream(parent)) {
                for (Path p : s) {
                    String n = p.getFileName().toString();
                    if (n.startsWith(prefix) && n.endsWith(".tmp")) {
                        try {
                            Files.deleteIfExists(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }
            }
        }
    }

    /** The line the run prints. */
    static String summary(Outcome o, Path dir) {
        return String.format(Locale.ROOT, "compressed: %d file%s in %s (%d now, %d earlier)%s", o.written() + o.earlier(),
                o.written() + o.earlier() == 1 ? "" : "s", dir, o.written(), o.earlier(),
                o.skips().isEmpty() ? "" : ", " + o.skips().size() + " not written (see skipped.jsonl)");
    }
}
