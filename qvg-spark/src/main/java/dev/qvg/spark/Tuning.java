package dev.qvg.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.Layout;
import dev.qvg.cli.eval.MethodLabels;
import dev.qvg.cli.eval.NamedTensor;
import dev.qvg.cli.eval.TensorFiles;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.tools.tune.SearchSpace;
import dev.qvg.tools.tune.TuneResult;
import dev.qvg.tools.tune.TuneTarget;
import dev.qvg.tools.tune.TunedConfigFile;
import dev.qvg.tools.tune.Tuner;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code qvg sweep --tune-snr-db DB} / {@code --tune-rel-l2 E}: {@code qvg tune} over the corpus.
 * One Spark task per (file, tensor) runs qvg-tools' {@link Tuner} on that tensor (the tuner measures
 * whole-tensor candidates, so a task holds the one tensor, as {@code qvg tune} does) and commits its
 * result file ({@code tune/<search>/fNNNNN/tTTT.json}: hidden temporary file, then an atomic
 * rename; a rerun computes only the missing ones, {@code <search>} a digest of the target and the
 * search space, so other settings compute anew). From those the driver writes, on every run:
 * <ul>
 *   <li>{@code tuned/<path relative to its input>.tuned.json}: per input file, the tuned-config file
 *       {@code qvg tune --output} writes for it (the same bytes), to give {@code qvg compress
 *       --config} or {@code qvg sweep --config};</li>
 *   <li>{@code tuned.jsonl}: a row per (file, tensor): the chosen configuration, its bits per value
 *       and error, whether it met the target, the trials run;</li>
 * </ul>
 * and a skip record per tensor that could not be tuned.
 */
final class Tuning {

    static final String UNITS = "tune";
    static final String FILES = "tuned";
    static final String ROWS = "tuned.jsonl";
    private static final String BASE = "base.json";
    /** As {@link TunedConfigFile} writes its files. */
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The search: {@code qvg tune}'s target and space ({@code --search-bits} ...); the base
     * configuration travels in {@code tune/<search>/base.json}.
     *
     * @param snr    true for an SNR target in dB, false for a relative L2 one
     */
    record Spec(boolean snr, double value, List<Integer> bits, List<Integer> stages, List<Integer> clusters)
            implements Serializable {
        private static final long serialVersionUID = 1L;

        Spec {
            bits = List.copyOf(bits);
            stages = List.copyOf(stages);
            clusters = List.copyOf(clusters);
        }

        TuneTarget target() {
            return snr ? TuneTarget.snrDb(value) : TuneTarget.relL2(value);
        }
    }

    /** One tensor of one file to tune (a Spark task). */
    record TuneUnit(int id, InputFile file, int tensorIndex, String tensor, String role, int[] shape, String layout,
                    String prompt, Integer layer) implements Serializable {
        private static final long serialVersionUID = 1L;

        TuneUnit {
            Objects.requireNonNull(file, "file");
            shape = shape.clone();
        }

        String resultPath(String search) {
            return String.format(Locale.ROOT, "%s/%s/f%05d/t%03d.json", UNITS, search, file.index(), tensorIndex);
        }
    }

    /** What every task needs besides its unit. */
    record Context(String out, String search, Spec spec) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** What a run did. */
    record Outcome(int tensors, int computed, int met, int files, List<Outputs.Skip> skips) {
    }

    private Tuning() {
    }

    /** The digest naming a search: its base configuration and {@code spec}. */
    static String search(QuantizerConfig base, Spec spec) throws IOException {
        Path tmp = Files.createTempFile("qvg-sweep-tune", ".json");
        try {
            TunedConfigFile.writeConfigs(tmp, Map.of("base", base));
            String text = Files.readString(tmp, StandardCharsets.UTF_8) + spec;
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static Outcome run(JavaSparkContext jsc, Path out, QuantizerConfig base, Spec spec, List<TuneUnit> units)
            throws IOException {
        String search = search(base, spec);
        Path dir = out.resolve(UNITS).resolve(search);
        Files.createDirectories(dir);
        Path baseFile = dir.resolve(BASE);
        if (!Files.exists(baseFile)) {
            Path tmp = dir.resolve("." + BASE + ".tmp");
            TunedConfigFile.writeConfigs(tmp, Map.of("base", base));
            UnitRunner.commit(tmp, baseFile);
        }
        List<TuneUnit> todo = units.stream().filter(u -> !Files.isRegularFile(out.resolve(u.resultPath(search)))).toList();
        if (!todo.isEmpty()) {
            removeTemporaries(dir);
            Context ctx = new Context(out.toString(), search, spec);
            jsc.sc().setJobDescription("qvg sweep: tuning " + todo.size() + " tensors");
            jsc.parallelize(todo, todo.size()).map(u -> tune(u, ctx)).collect();
            removeTemporaries(dir);
        }

        List<String> rows = new ArrayList<>();
        List<Outputs.Skip> skips = new ArrayList<>();
        Map<InputFile, ObjectNode> perFile = new LinkedHashMap<>();
        int met = 0;
        for (TuneUnit u : units) {
            JsonNode r = Json.read(Files.readString(out.resolve(u.resultPath(search)), StandardCharsets.UTF_8).strip());
            if (!r.path("status").asText().equals("ok")) {
                skips.add(new Outputs.Skip(u.file().name(), u.tensor(), null, null, "not tuned: "
                        + r.path("reason").asText("unknown")));
                continue;
            }
            ObjectNode tensors = (ObjectNode) perFile.computeIfAbsent(u.file(), f -> {
                ObjectNode root = PRETTY.createObjectNode();
                root.put("format", TunedConfigFile.FORMAT);
                root.put("schema_version", TunedConfigFile.SCHEMA_VERSION);
                root.putObject("tensors");
                return root;
            }).get("tensors");
            r.get("tensors").fields().forEachRemaining(e -> tensors.set(e.getKey(), e.getValue()));
            ObjectNode row = ((ObjectNode) r.get("row")).deepCopy();
            row.put("config_file", FILES + "/" + u.file().relPath() + ".tuned.json");
            met += row.path("met").asBoolean() ? 1 : 0;
            rows.add(Json.write(row));
        }
        Outputs.deleteTree(out.resolve(FILES));
        for (Map.Entry<InputFile, ObjectNode> e : perFile.entrySet()) {
            Path target = out.resolve(FILES).resolve(e.getKey().relPath() + ".tuned.json");
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
            Files.writeString(tmp, PRETTY.writeValueAsString(e.getValue()) + "\n", StandardCharsets.UTF_8);
            UnitRunner.commit(tmp, target);
        }
        Outputs.writeLines(out.resolve(ROWS), rows);
        return new Outcome(units.size(), todo.size(), met, perFile.size(), List.copyOf(skips));
    }

    /** Tunes one tensor (on an executor) and commits its result file. */
    static boolean tune(TuneUnit u, Context ctx) throws IOException {
        TaskContext tc = TaskContext.get();
        int attempt = tc == null ? 0 : tc.attemptNumber();
        long attemptId = tc == null ? 0 : tc.taskAttemptId();
        int cpus = tc == null ? Runtime.getRuntime().availableProcessors() : Math.max(1, tc.cpus());
        System.setProperty(UnitRunner.CPU_THREADS_PROPERTY, Integer.toString(cpus));
        Path out = Path.of(ctx.out());
        Path target = out.resolve(u.resultPath(ctx.search()));
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + attemptId + "-" + attempt + ".tmp");
        ObjectNode result = Json.MAPPER.createObjectNode();
        ObjectNode unit = result.putObject("unit");
        unit.put("file", u.file().name());
        unit.put("tensor", u.tensor());
        long t0 = System.nanoTime();
        try {
            QuantizerConfig base = TunedConfigFile.read(out.resolve(UNITS).resolve(ctx.search()).resolve(BASE)).get("base");
            Path path = Path.of(u.file().path());
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
            if (attrs.size() != u.file().size() || attrs.lastModifiedTime().toMillis() != u.file().mtime()) {
                throw new BadInputException(u.file().name() + " changed after the sweep listed it (size or modification"
                        + " time); run the sweep again into a new --out");
            }
            NamedTensor t = TensorFiles.load(path, List.of(u.tensor()), Layout.parse(u.layout()), KvRole.parse(u.role()))
                    .get(0);
            KvShape s = t.tensor().shape();
            if (!Arrays.equals(new int[] {s.batch(), s.heads(), s.tokens(), s.headDim()}, u.shape())) {
                throw new BadInputException(u.file().name() + ": tensor '" + u.tensor() + "' is " + s + ", planned as "
                        + Arrays.toString(u.shape()) + " (the file changed)");
            }
            Spec spec = ctx.spec();
            TuneResult r = Tuner.withRegistry().tune(t.name(), t.tensor().toBhsd(), t.role(), spec.target(),
                    new SearchSpace(base, spec.bits(), spec.stages(), spec.clusters()));
            double secs = (System.nanoTime() - t0) / 1e9;
            // the tensor's part of qvg tune's file, exactly as TunedConfigFile writes it
            Path one = target.resolveSibling("." + target.getFileName() + "." + attemptId + "-" + attempt + ".config.tmp");
            try {
                TunedConfigFile.write(one, List.of(r));
                result.put("status", "ok");
                result.set("tensors", PRETTY.readTree(one.toFile()).get("tensors"));
            } finally {
                Files.deleteIfExists(one);
            }
            result.set("row", row(u, r, secs));
        } catch (BadInputException | IllegalArgumentException | IOException | UncheckedIOException e) {
            result.put("status", "skipped");
            result.put("reason", UnitRunner.reasonOf(e));
        }
        Files.writeString(tmp, Json.write(result) + "\n", StandardCharsets.UTF_8);
        UnitRunner.commit(tmp, target);
        return result.path("status").asText().equals("ok");
    }

    /** The row of a tuned tensor in {@code tuned.jsonl}. */
    private static ObjectNode row(TuneUnit u, TuneResult r, double secs) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("schema_version", TunedConfigFile.SCHEMA_VERSION);
        UnitRunner.placeFields(o, u.file().name(), u.prompt(), u.layer());
        o.put("tensor", u.tensor());
        o.put("role", u.role());
        var shape = o.putArray("shape");
        Arrays.stream(u.shape()).forEach(shape::add);
        o.put("target", r.target().toString());
        o.put("met", r.met());
        QuantizerConfig c = r.chosen();
        o.put("method", c.method());
        o.put("label", MethodLabels.of(c));
        o.put("bits", c.quant().bits());
        o.put("stages", c.stages());
        if (MethodLabels.clusters(c)) {
            o.put("clusters", c.kmeans().clusters());
        } else {
            o.putNull("clusters");
        }
        Json.putDouble(o, "bits_per_value", r.bitsPerValue());
        Json.putDouble(o, "rel_l2", r.measured().relL2());
        Json.putDouble(o, "snr_db", r.measured().snrDb());
        o.put("trials", r.trials().size());
        o.put("seconds", secs);
        return o;
    }

    private static void removeTemporaries(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".")
                    && p.getFileName().toString().endsWith(".tmp")).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The line the run prints. */
    static String summary(Outcome o, Spec spec, Path out) {
        return String.format(Locale.ROOT, "tuned: %d tensors for %s (%d run now), %d met it; %d tuned-config file%s in %s",
                o.tensors() - o.skips().size(), spec.target(), o.computed(), o.met(), o.files(), o.files() == 1 ? "" : "s",
                out.resolve(FILES)) + (o.skips().isEmpty() ? "" : ", " + o.skips().size() + " not tuned (see skipped.jsonl)");
    }
}
