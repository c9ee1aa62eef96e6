package dev.qvg.bench.report;

import java.util.List;
import java.util.Objects;

/**
 * What the report states about how and where the numbers were taken.
 *
 * @param date      when the run was made (as the script passes it, or the generation time)
 * @param machine   CPU model, core count, memory, OS
 * @param note      the caveat to print at the top (e.g. a shared, noisy machine)
 * @param command   the command that produced the results
 * @param plots     image file names, relative to the report, embedded in order
 */
public record ReportContext(String date, String machine, String note, String command, List<String> plots) {

    public ReportContext {
        Objects.requireNonNull(date, "date");
        Objects.requireNonNull(machine, "machine");
        note = note == null ? "" : note;
        command = command == null ? "" : command;
        plots = List.copyOf(plots == null ? List.of() : plots);
    }
}
