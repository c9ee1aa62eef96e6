package dev.qvg.io;

import dev.qvg.api.tensor.KvShape;

/**
 * How a tensor is cut into groups of consecutive (batch, head) slices for streamed work: each
 * group is read, quantized (or decoded), written and dropped before the next, so peak memory is
 * a few groups' working sets whatever the size of the input.
 *
 * <p>A group holds as many slices as fit {@code budgetBytes} of float32, at least one (a slice
 * larger than the budget is processed alone). Where the budget allows more than {@code cores}
 * slices, the count is rounded down to a multiple of {@code cores}: backends parallelise across
 * the slices of a group, and a group of 7 slices on 2 cores would leave one core idle for an
 * eighth of the time. The last group takes what is left.
 *
 * @param slices      slices of the tensor ({@code batch * heads})
 * @param sliceFloats float32 values of one slice ({@code tokens * headDim})
 * @param perGroup    slices per group (the last group may hold fewer)
 */
public record SliceGroups(int slices, int sliceFloats, int perGroup) {

    /** 64 MiB of float32 per group: a few groups' working sets stay well under a 1 GiB heap. */
    public static final long DEFAULT_BUDGET_BYTES = 64L << 20;

    public SliceGroups {
        if (slices < 1 || sliceFloats < 1) {
            throw new IllegalArgumentException("slice groups: slices and sliceFloats must be positive, got " + slices
                    + " and " + sliceFloats);
        }
        if (perGroup < 1 || perGroup > slices) {
            throw new IllegalArgumentException("slice groups: perGroup must be in 1.." + slices + ", got " + perGroup);
        }
    }

    /** Groups of {@code shape} within {@code budgetBytes} of float32, for {@code cores} cores (see the class comment). */
    public static SliceGroups plan(KvShape shape, long budgetBytes, int cores) {
        if (budgetBytes < 1) {
            throw new IllegalArgumentException("slice groups: the memory budget must be positive, got " + budgetBytes + " bytes");
        }
        if (cores < 1) {
            throw new IllegalArgumentException("slice groups: cores must be positive, got " + cores);
        }
        long sliceBytes = (long) shape.sliceSize() * Float.BYTES;
        long fit = Math.max(1, budgetBytes / sliceBytes);
        int per = (int) Math.min(shape.slices(), fit);
        if (per > cores) {
            per = per / cores * cores;
        }
        return new SliceGroups(shape.slices(), shape.sliceSize(), per);
    }

    /** {@link #plan} with {@link #DEFAULT_BUDGET_BYTES} and this machine's processor count. */
    public static SliceGroups plan(KvShape shape) {
        return plan(shape, DEFAULT_BUDGET_BYTES, Runtime.getRuntime().availableProcessors());
    }

    /** Number of groups. */
    public int count() {
        return (slices + perGroup - 1) / perGroup;
    }

    /** First slice of group {@code g}. */
    public int first(int g) {
        checkGroup(g);
        return g * perGroup;
    }

    /** Slices in group {@code g}. */
    public int size(int g) {
        checkGroup(g);
        return Math.min(perGroup, slices - g * perGroup);
    }

    /** Float32 values of the largest group: the buffer a reader of this plan needs. */
    public int maxGroupFloats() {
        return perGroup * sliceFloats;
    }

    private void checkGroup(int g) {
        if (g < 0 || g >= count()) {
            throw new IndexOutOfBoundsException("group " + g + " outside 0.." + (count() - 1));
        }
    }
}
