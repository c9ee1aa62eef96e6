package dev.qvg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.qvg.api.tensor.KvShape;
import org.junit.jupiter.api.Test;

class SliceGroupsTest {

    private static final KvShape LAYER = new KvShape(1, 32, 29640, 128); // 15.2 MB of float32 per slice

    @Test
    void groupsFillTheBudgetInMultiplesOfTheCores() {
        assertEquals(4, SliceGroups.plan(LAYER, 64L << 20, 2).perGroup());
        assertEquals(8, SliceGroups.plan(LAYER, 128L << 20, 2).perGroup());
        assertEquals(6, SliceGroups.plan(LAYER, 100L << 20, 3).perGroup(), "6 fit, a multiple of 3");
        assertEquals(4, SliceGroups.plan(LAYER, 100L << 20, 4).perGroup(), "6 fit, rounded down to 4");
        assertEquals(3, SliceGroups.plan(LAYER, 50L << 20, 16).perGroup(), "the budget wins over the cores");
    }

    @Test
    void aSliceLargerThanTheBudgetGoesAlone() {
        SliceGroups g = SliceGroups.plan(LAYER, 1 << 20, 2);
        assertEquals(1, g.perGroup());
        assertEquals(32, g.count());
    }

    @Test
    void smallTensorsAreOneGroupAndTheLastGroupTakesTheRest() {
        SliceGroups one = SliceGroups.plan(new KvShape(1, 2, 4096, 128), 64L << 20, 2);
        assertEquals(1, one.count());
        assertEquals(2, one.size(0));
        SliceGroups g = SliceGroups.plan(new KvShape(2, 5, 100, 10), 4 * 1000 * 4, 2);
        assertEquals(4, g.perGroup());
        assertEquals(3, g.count());
        assertEquals(8, g.first(2));
        assertEquals(2, g.size(2));
        assertEquals(4 * 1000, g.maxGroupFloats());
        assertThrows(IndexOutOfBoundsException.class, () -> g.size(3));
        assertThrows(IllegalArgumentException.class, () -> SliceGroups.plan(LAYER, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> new SliceGroups(4, 10, 5));
    }
}
