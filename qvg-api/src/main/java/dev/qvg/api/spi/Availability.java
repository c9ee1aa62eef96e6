package dev.qvg.api.spi;

/** Whether a provider can be used on this machine and, if not, why (e.g. "no CUDA driver"). */
public record Availability(boolean available, String reason) {

    public static final Availability AVAILABLE = new Availability(true, "available");

    public Availability {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("availability: a reason is required");
        }
    }

    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }
}
