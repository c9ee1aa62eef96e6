package dev.qvg.bench.layer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One timed command of a layer-benchmark run, as {@code layer-bench.sh} lists it in
 * {@code runs.tsv} (tab-separated, one header line, paths relative to the run folder).
 *
 * @param row         which input: {@code layer} or {@code multi}
 * @param label       the input in words, for the table
 * @param inputBytes  size of the input file
 * @param tool        {@value #BASELINE} or {@value #QVG}
 * @param repeat      1-based repetition
 * @param timeFile    what {@code /usr/bin/time -v} wrote
 * @param summaryFile the baseline's JSON summary (phase times), or null
 * @param outputBytes size of the file the command wrote (0 when it wrote none)
 */
public record RunRecord(String row, String label, long inputBytes, String tool, int repeat, Path timeFile,
                        Path summaryFile, long outputBytes) {

    public static final String BASELINE = "faiss+numpy";
    public static final String QVG = "qvg";
    static final String HEADER = "row\tlabel\tinput_bytes\ttool\trepeat\ttime_file\tsummary_file\toutput_bytes";

    public RunRecord {
        if (!tool.equals(BASELINE) && !tool.equals(QVG)) {
            throw new IllegalArgumentException("tool: '" + tool + "' is neither " + BASELINE + " nor " + QVG);
        }
        if (repeat < 1 || inputBytes < 0 || outputBytes < 0) {
            throw new IllegalArgumentException("run record: repeat must be positive and sizes non-negative, got repeat "
                    + repeat + ", input " + inputBytes + ", output " + outputBytes);
        }
    }

    /** Parses {@code runs.tsv}; {@code dir} resolves the relative paths. */
    public static List<RunRecord> parseAll(String tsv, Path dir) {
        List<RunRecord> out = new ArrayList<>();
        String[] lines = tsv.split("\n");
        if (lines.length == 0 || !lines[0].trim().equals(HEADER)) {
            throw new IllegalArgumentException("runs.tsv: first line must be the header '" + HEADER.replace("\t", "\\t")
                    + "'");
        }
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] f = lines[i].split("\t", -1);
            if (f.length != 8) {
                throw new IllegalArgumentException("runs.tsv line " + (i + 1) + ": " + f.length + " fields, expected 8");
            }
            try {
                out.add(new RunRecord(f[0], f[1], Long.parseLong(f[2]), f[3], Integer.parseInt(f[4]), dir.resolve(f[5]),
                        f[6].equals("-") ? null : dir.resolve(f[6]), Long.parseLong(f[7])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("runs.tsv line " + (i + 1) + ": not a number (" + e.getMessage() + ")");
            }
        }
        return out;
    }
}
