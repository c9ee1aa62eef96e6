package dev.qvg.spark;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A unit's result file as {@link UnitRunner} commits it (JSON lines): a header
 * ({@code {"unit": {...}, "status": "ok"|"skipped", "reason": ...}}), then for an {@code ok} unit
 * one row per slice (head) in slice order and last the unit's own figures
 * ({@code {"batch": {sums}, "result": {eval's row of the unit}}}).
 */
final class UnitFile {

    private UnitFile() {
    }

    /**
     * What the driver needs of a unit file: its status, and for an {@code ok} unit its last line.
     *
     * @param problem why the file cannot be trusted (wrong unit, cut short), or null
     */
    record Summary(int id, String reason, String batchLine, int heads, String problem) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    static Path path(Path out, Unit u) {
        return out.resolve(u.resultPath());
    }

    /** Reads and checks the file of {@code u} (on an executor). */
    static Summary summary(Path out, Unit u) {
        Path p = path(out, u);
        try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            String first = r.readLine();
            String problem = checkHeader(first, u);
            if (problem != null) {
                return new Summary(u.id(), null, null, 0, problem);
            }
            JsonNode h = Json.read(first);
            if (h.path("status").asText().equals("skipped")) {
                return new Summary(u.id(), h.path("reason").asText("skipped"), null, 0, null);
            }
            int heads = 0;
            String last = null;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (last != null) {
                    heads++;
                }
                last = line;
            }
            if (last == null || !last.startsWith("{\"batch\"")) {
                return new Summary(u.id(), null, null, heads, "it ends before the unit's figures");
            }
            if (heads != u.count()) {
                return new Summary(u.id(), null, null, heads, "it has " + heads + " head rows, expected " + u.count());
            }
            return new Summary(u.id(), null, last, heads, null);
        } catch (IOException | RuntimeException e) {
            return new Summary(u.id(), null, null, 0, "unreadable: " + UnitRunner.reasonOf(e));
        }
    }

    /** The head rows of an {@code ok} unit's file, as written. */
    static List<String> headLines(Path out, Unit u) throws IOException {
        List<String> lines = Files.readAllLines(path(out, u), StandardCharsets.UTF_8);
        return new ArrayList<>(lines.subList(1, lines.size() - 1));
    }

    private static String checkHeader(String first, Unit u) {
        if (first == null) {
            return "it is empty";
        }
        JsonNode h;
        try {
            h = Json.read(first);
        } catch (IllegalArgumentException e) {
            return "its first line is " + e.getMessage();
        }
        JsonNode unit = h.path("unit");
        if (!unit.path("file").asText().equals(u.file().name()) || !unit.path("tensor").asText().equals(u.tensor())
                || unit.path("config").asInt(-1) != u.config() || unit.path("first").asInt(-1) != u.first()
                || unit.path("count").asInt(-1) != u.count()) {
            return "it holds another unit (" + Json.write(unit) + ")";
        }
        return null;
    }
}
