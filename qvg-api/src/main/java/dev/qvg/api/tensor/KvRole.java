package dev.qvg.api.tensor;

/** Whether a tensor holds keys or values: some methods (KIVI) treat them differently. */
public enum KvRole {
    KEY,
    VALUE;

    public static KvRole parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        switch (t) {
            case "k": case "key": case "keys": return KEY;
            case "v": case "value": case "values": return VALUE;
            default: throw new IllegalArgumentException("role: unknown value '" + text + "', expected k or v");
        }
    }
}
