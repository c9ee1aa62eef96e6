package dev.qvg.bench.report;

/**
 * The least work one operation of a benchmark must do: bytes that must cross the memory bus
 * (inputs read once, outputs written once) and floating-point operations that must be executed.
 * The report divides them by the measured time to get rates comparable with the limits.
 *
 * @param bytes  bytes read plus bytes written
 * @param flops  floating-point operations (a multiply-add counts two)
 * @param tokens tokens processed (for tokens per second)
 */
public record Work(double bytes, double flops, double tokens) {

    public Work {
        if (!(bytes >= 0) || !(flops >= 0) || !(tokens >= 0)) {
            throw new IllegalArgumentException("work: bytes, flops and tokens must be non-negative, got " + bytes + ", "
                    + flops + ", " + tokens);
        }
    }
}
