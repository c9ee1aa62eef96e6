package dev.qvg.spark;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.cli.eval.GroupedRun;
import dev.qvg.io.QuantizedKvStreamWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A unit's quantized slices for {@code --compress}, kept as the unit computes them: each slice
 * group's {@link QuantizedKv} (the one the rows are measured from: nothing is quantized twice) is
 * encoded into a one-entry quantized-cache file of the unit's slices, {@link Unit#partPath()},
 * streamed through {@link QuantizedKvStreamWriter} (bounded memory, a hidden temporary file
 * published atomically). {@link CompressedFiles} later joins a file's parts into the file
 * {@code qvg compress} writes.
 *
 * <p>When the unit has no part to give (its tensor was skipped, or a reconstruction is not finite,
 * which {@code qvg compress} refuses too) it leaves {@link Unit#noPartPath()} with the reason
 * instead. Either is published before the unit's result file, so a unit with rows has its part or
 * the reason; a killed attempt leaves only hidden temporary files, cleared by the driver.
 */
final class UnitPart implements AutoCloseable {

    private final Unit unit;
    private final Path target;
    private final Path none;
    private final String attempt;
    private QuantizedKvStreamWriter writer;
    private String problem;

    UnitPart(Path out, Unit unit, String attempt) throws IOException {
        this.unit = unit;
        this.target = out.resolve(unit.partPath());
        this.none = out.resolve(unit.noPartPath());
        this.attempt = attempt;
        Files.createDirectories(target.getParent());
    }

    /**
     * Takes the group of slices {@code [first, first + count)} of the tensor ({@code rel} within the
     * unit), quantized under {@code config} as {@code qp} and decoded as {@code recon}.
     */
    void group(QuantizerConfig config, QuantizedKv qp, int rel, float[] recon, KvShape shape, int first, int count) {
        if (problem != null) {
            return;
        }
        try {
            // never keep what cannot be read back: compress refuses a non-finite reconstruction
            GroupedRun.requireFiniteReconstruction(unit.tensor(), shape, first, recon, count * shape.sliceSize());
            if (writer == null) {
                writer = QuantizedKvStreamWriter.create(target, config, true);
                writer.beginEntry(unit.tensor(), new KvShape(1, unit.count(), shape.tokens(), shape.headDim()));
            }
            writer.write(qp, rel);
        } catch (IOException | RuntimeException e) {
            problem = UnitRunner.reasonOf(e);
            discard();
        }
    }

    /**
     * Publishes the part, or the reason there is none: {@code skipped}, the unit's own reason when
     * its tensor was skipped, else null.
     */
    void finish(String skipped) throws IOException {
        String why = skipped != null ? skipped : problem != null ? problem : writer == null ? "no slices" : null;
        if (why == null) {
            try {
                writer.commit();
            } catch (IOException | RuntimeException e) {
                why = UnitRunner.reasonOf(e);
            }
        }
        discard();
        if (why == null) {
            Files.deleteIfExists(none);
            return;
        }
        Files.deleteIfExists(target);
        Path tmp = none.resolveSibling("." + none.getFileName() + "." + attempt + ".tmp");
        Files.writeString(tmp, why.replace('\n', ' ') + "\n", StandardCharsets.UTF_8);
        UnitRunner.commit(tmp, none);
    }

    private void discard() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException ignored) {
                // the temporary file: the driver clears what is left
            }
            writer = null;
        }
    }

    @Override
    public void close() {
        discard();
    }

    /** The reason in a unit's {@link Unit#noPartPath()} file. */
    static String reason(Path none) throws IOException {
        return Files.readString(none, StandardCharsets.UTF_8).strip();
    }
}
