package dev.qvg.models.tiny;

import java.util.List;

/**
 * The videos of a {@link RolloutRequest} and their comparisons.
 *
 * @param compared the rollout on the comparison backend, or {@code null}
 * @param reports  candidate vs reference; then, with a comparison, compared vs reference and
 *                 compared vs candidate
 */
public record RolloutOutcome(RolloutResult reference, RolloutResult candidate, RolloutResult compared,
                             List<RolloutReport> reports) {

    public RolloutOutcome {
        reports = List.copyOf(reports);
    }

    /** All reports' tables, one after the other. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        for (RolloutReport r : reports) {
            sb.append(r.toTable()).append(System.lineSeparator());
        }
        return sb.toString();
    }
}
