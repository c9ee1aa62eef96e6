package dev.qvg.spark;

import dev.qvg.api.tensor.KvShape;
import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * A sweep's work unit, one Spark task: slices {@code [first, first + count)} of one tensor of one
 * file under one configuration. The executor maps the file and reads those slices a group at a
 * time; nothing of the tensor passes through the driver.
 *
 * @param id      position in the sweep's unit list (the Spark partition)
 * @param file    the input file
 * @param tensorIndex position of the tensor among the file's chosen tensors
 * @param tensor  tensor name in the file ({@code npy}: the file's stem)
 * @param role    {@code k} or {@code v}
 * @param shape   {@code [B, H, S, D]} of the whole tensor as planned
 * @param layout  {@code bhsd} or {@code bshd}
 * @param config  index of the configuration in the sweep's list ({@code configs.json})
 * @param column  the configuration as a column of the sweep: the index of a configuration of the
 *                suite, or the suite's size for the {@code tuned} configurations of {@code --config}
 *                (one per tensor name; what one compressed file per input file holds)
 * @param label   the configuration's label in tables and plots ({@code prq(2)}, {@code kivi})
 * @param bits    the configuration's code bits
 * @param prompt  the tensor's prompt, or null
 * @param layer   the tensor's layer, or null
 */
record Unit(int id, InputFile file, int tensorIndex, String tensor, String role, int[] shape, String layout, int config,
            int column, String label, int bits,
            int first, int count, String prompt, Integer layer) implements Serializable {

    private static final long serialVersionUID = 1L;

    Unit {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensor, "tensor");
        shape = shape.clone();
        if (first < 0 || count < 1 || (long) first + count > (long) shape[0] * shape[1]) {
            throw new IllegalArgumentException("unit: slices [" + first + ", " + (first + count) + ") outside "
                    + shape[0] * shape[1]);
        }
    }

    KvShape kvShape() {
        return new KvShape(shape[0], shape[1], shape[2], shape[3]);
    }

    /** Whether the unit is its tensor's every slice (its batch figures are then the tensor's, as eval's). */
    boolean wholeTensor() {
        return first == 0 && count == shape[0] * shape[1];
    }

    /** Where the unit's result lives, relative to the output folder: {@code units/f00012/t003-c05-s0000.jsonl}. */
    String resultPath() {
        return String.format(Locale.ROOT, "units/f%05d/t%03d-c%03d-s%06d.jsonl", file.index(), tensorIndex, config, first);
    }

    /**
     * Where the unit's quantized slices wait for {@code --compress} (a one-entry quantized-cache file of
     * its slices), relative to the output folder: {@code parts/f00012/t003-c05-s0000.qvg.safetensors}.
     */
    String partPath() {
        return String.format(Locale.ROOT, "parts/f%05d/t%03d-c%03d-s%06d.qvg.safetensors", file.index(), tensorIndex, config,
                first);
    }

    /** Beside {@link #partPath()} when the unit has no part to give, holding why (one line). */
    String noPartPath() {
        return String.format(Locale.ROOT, "parts/f%05d/t%03d-c%03d-s%06d.none", file.index(), tensorIndex, config, first);
    }

    /** The key of the unit's tensor under its configuration: what split units of one tensor share. */
    String tensorKey() {
        return file.index() + "\u0000" + tensor + "\u0000" + config;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public String toString() {
        return file.name() + " tensor '" + tensor + "' " + label + " int" + bits + " slices [" + first + ", "
                + (first + count) + ")";
    }
}
