package dev.qvg.api.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KvTensorTest {

    private static KvTensor counting(KvShape shape, Layout layout) {
        float[] d = new float[shape.numel()];
        for (int i = 0; i < d.length; i++) {
            d[i] = i;
        }
        return KvTensor.wrap(shape, layout, d);
    }

    @Test
    void aShapeTooLargeForAnArrayIsReportedWithItsRealDimensions() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new KvShape(1, 1, 16777216, 128));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("shape [1, 1, 16777216, 128] has 2147483648"),
                e.getMessage());
    }

    @Test
    void layoutsAgreeOnLogicalElements() {
        KvShape shape = new KvShape(2, 3, 5, 4);
        KvTensor bshd = counting(shape, Layout.BSHD);
        KvTensor bhsd = bshd.toBhsd();
        assertEquals(Layout.BHSD, bhsd.layout());
        for (int b = 0; b < 2; b++) {
            for (int h = 0; h < 3; h++) {
                for (int s = 0; s < 5; s++) {
                    for (int d = 0; d < 4; d++) {
                        assertEquals(bshd.get(b, h, s, d), bhsd.get(b, h, s, d));
                    }
                }
            }
        }
        assertArrayEquals(bshd.data(), bhsd.toLayout(Layout.BSHD).data());
        // BSHD element (b=1,h=2,s=3,d=1) sits at ((1*5+3)*3+2)*4+1
        assertEquals(((1 * 5 + 3) * 3 + 2) * 4 + 1, bshd.get(1, 2, 3, 1));
    }

    @Test
    void tokenRangeCopiesEachSlice() {
        KvTensor t = counting(new KvShape(1, 2, 4, 2), Layout.BHSD);
        KvTensor r = t.tokenRange(1, 3);
        assertEquals(new KvShape(1, 2, 2, 2), r.shape());
        assertArrayEquals(new float[] {2, 3, 4, 5, 10, 11, 12, 13}, r.data());
        assertThrows(IllegalArgumentException.class, () -> t.tokenRange(3, 3));
    }

    @Test
    void nonFiniteValueIsNamedByIndex() {
        KvTensor t = KvTensor.zeros(new KvShape(1, 2, 3, 4));
        t.set(0, 1, 2, 3, Float.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.requireFinite("keys"));
        assertTrue(e.getMessage().contains("(b=0, h=1, s=2, d=3)"), e.getMessage());
        assertTrue(e.getMessage().startsWith("keys"), e.getMessage());
    }

    @Test
    void badShapesAreRefusedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new KvShape(1, 0, 4, 4));
        assertTrue(e.getMessage().contains("heads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new KvShape(64, 64, 65536, 128));
        assertTrue(e.getMessage().contains("elements"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> KvTensor.wrap(new KvShape(1, 1, 2, 2), new float[3]));
        assertTrue(e.getMessage().contains("needs 4 floats"), e.getMessage());
    }
}
