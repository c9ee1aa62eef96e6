package dev.qvg.tck;

import dev.qvg.api.quant.PackedBlocks;
import java.util.Locale;
import org.opentest4j.AssertionFailedError;

/**
 * Bit-exact comparisons whose failure messages locate the first difference (row, column, both
 * values in hex) and count the rest, so a report says what is wrong without a debugger.
 */
public final class Checks {

    private Checks() {
    }

    /** Codes, scales and zero points equal bit for bit, and the same shape and config. */
    public static void assertSameBlocks(PackedBlocks want, PackedBlocks got, String what) {
        if (got == null) {
            throw new AssertionFailedError(what + ": backend returned null");
        }
        if (want.rows() != got.rows() || want.cols() != got.cols() || !want.config().equals(got.config())) {
            throw new AssertionFailedError(what + ": shape/config differ: want [" + want.rows() + ", " + want.cols() + "] "
                    + want.config() + ", got [" + got.rows() + ", " + got.cols() + "] " + got.config());
        }
        int bpr = want.bytesPerRow();
        byte[] a = want.codes(), b = got.codes();
        int bad = 0, first = -1;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (bad > 0) {
            int row = first / bpr, byteInRow = first % bpr;
            int bits = want.config().bits();
            int col = byteInRow * 8 / bits;
            throw new AssertionFailedError(String.format(Locale.ROOT,
                    "%s: %d of %d code bytes differ; first at row %d, byte %d of the row (codes from column %d): "
                            + "want 0x%02X, got 0x%02X (%s-bit, %s)",
                    what, bad, a.length, row, byteInRow, col, a[first] & 0xFF, b[first] & 0xFF, bits,
                    want.config().symmetric() ? "symmetric" : "asymmetric"));
        }
        assertSameShorts(want.scales(), got.scales(), want.blocksPerRow(), what + ": scales");
        if (want.zeros() != null) {
            if (got.zeros() == null) {
                throw new AssertionFailedError(what + ": zero points missing");
            }
            assertSameShorts(want.zeros(), got.zeros(), want.blocksPerRow(), what + ": zero points");
        }
    }

    static void assertSameShorts(short[] want, short[] got, int perRow, String what) {
        if (want.length != got.length) {
            throw new AssertionFailedError(what + ": want " + want.length + " entries, got " + got.length);
        }
        int bad = 0, first = -1;
        for (int i = 0; i < want.length; i++) {
            if (want[i] != got[i]) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (bad > 0) {
            throw new AssertionFailedError(String.format(Locale.ROOT,
                    "%s: %d of %d differ; first at row %d, block %d: want 0x%04X, got 0x%04X",
                    what, bad, want.length, first / perRow, first % perRow, want[first] & 0xFFFF, got[first] & 0xFFFF));
        }
    }

    /**
     * Floats equal bit for bit ({@link Float#floatToIntBits}: any NaN equals any NaN, but
     * {@code -0.0} differs from {@code 0.0}).
     */
    public static void assertSameFloats(float[] want, float[] got, int rowLength, String what) {
        if (want.length != got.length) {
            throw new AssertionFailedError(what + ": want " + want.length + " floats, got " + got.length);
        }
        int bad = 0, first = -1;
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (bad > 0) {
            throw new AssertionFailedError(String.format(Locale.ROOT,
                    "%s: %d of %d values differ; first at row %d, column %d: want %s (0x%08X), got %s (0x%08X)",
                    what, bad, want.length, first / rowLength, first % rowLength, want[first],
                    Float.floatToRawIntBits(want[first]), got[first], Float.floatToRawIntBits(got[first])));
        }
    }

    /** Ints equal, naming the first difference. */
    public static void assertSameInts(int[] want, int[] got, int rowLength, String what) {
        if (want.length != got.length) {
            throw new AssertionFailedError(what + ": want " + want.length + " values, got " + got.length);
        }
        for (int i = 0; i < want.length; i++) {
            if (want[i] != got[i]) {
                int bad = 0;
                for (int j = i; j < want.length; j++) {
                    bad += want[j] != got[j] ? 1 : 0;
                }
                throw new AssertionFailedError(String.format(Locale.ROOT,
                        "%s: %d of %d differ; first at slice %d, index %d: want %d, got %d",
                        what, bad, want.length, i / rowLength, i % rowLength, want[i], got[i]));
            }
        }
    }
}
