package dev.qvg.models.cache;

/** A read touched tokens whose storage was evicted: the cache never returns stand-in values. */
public final class EvictedRangeException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final int fromToken;
    private final int toToken;

    public EvictedRangeException(String what, int fromToken, int toToken) {
        super(what + ": tokens [" + fromToken + ", " + toToken + ") were evicted and can no longer be read");
        this.fromToken = fromToken;
        this.toToken = toToken;
    }

    public int fromToken() {
        return fromToken;
    }

    public int toToken() {
        return toToken;
    }
}
