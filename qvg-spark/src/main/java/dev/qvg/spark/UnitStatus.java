package dev.qvg.spark;

import java.io.Serializable;

/**
 * What a task reports to the driver about its unit (the rows themselves are in the unit's file).
 *
 * @param reason why the unit was skipped (bad input), or null when it produced rows
 */
record UnitStatus(int id, String reason, double seconds, int slices) implements Serializable {

    private static final long serialVersionUID = 1L;

    boolean ok() {
        return reason == null;
    }
}
