package dev.qvg.cli.util;

import dev.qvg.io.SliceGroups;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * How much of a tensor a streaming command holds at a time: groups of (batch, head) slices of at
 * most {@code --group-mib} MiB of float32 (at least one slice). Peak memory is a few groups'
 * working sets, so this, not the input's size, is what the heap must hold.
 */
public final class GroupOptions {

    @Option(names = "--group-mib", paramLabel = "MIB",
            description = "Float32 MiB of (batch, head) slices processed at a time; bounds memory (default: ${DEFAULT-VALUE}).")
    double groupMib = SliceGroups.DEFAULT_BUDGET_BYTES / (double) (1 << 20);

    /** The group budget in bytes; a usage error when not a positive number. */
    public long bytes(CommandSpec spec) {
        if (!(groupMib > 0) || Double.isInfinite(groupMib) || groupMib * (1 << 20) > Long.MAX_VALUE / 2) {
            throw new ParameterException(spec.commandLine(), "--group-mib: must be a positive number of MiB, got " + groupMib);
        }
        return Math.max(1, (long) (groupMib * (1 << 20)));
    }
}
