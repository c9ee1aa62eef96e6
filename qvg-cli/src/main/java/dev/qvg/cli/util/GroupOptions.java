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

    /**
     * A twelfth of the heap: a run holds a few groups at once (4-7, see GroupedRun), and each group
     * array is one humongous object that G1 must place whole, so a default that fills the heap
     * failed now and then under {@code -Xmx384m} (64 MiB groups); at the launcher's 1 GiB the
     * default stays 64 MiB.
     */
    static final int HEAP_SHARE = 12;

    @Option(names = "--group-mib", paramLabel = "MIB",
            description = "Float32 MiB of (batch, head) slices processed at a time; bounds memory "
                    + "(default: 64, or a twelfth of the Java heap when that is smaller).")
    Double groupMib;

    /** The group budget in bytes; a usage error when not a positive number. */
    public long bytes(CommandSpec spec) {
        if (groupMib == null) {
            return Math.max(1, Math.min(SliceGroups.DEFAULT_BUDGET_BYTES, Runtime.getRuntime().maxMemory() / HEAP_SHARE));
        }
        if (!(groupMib > 0) || Double.isInfinite(groupMib) || groupMib * (1 << 20) > Long.MAX_VALUE / 2) {
            throw new ParameterException(spec.commandLine(), "--group-mib: must be a positive number of MiB, got " + groupMib);
        }
        return Math.max(1, (long) (groupMib * (1 << 20)));
    }
}
