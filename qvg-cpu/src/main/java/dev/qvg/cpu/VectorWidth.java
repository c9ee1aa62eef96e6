package dev.qvg.cpu;

import jdk.incubator.vector.FloatVector;

/** The widest float vector this JVM compiles to; loaded only when the Vector API module is present. */
final class VectorWidth {

    private VectorWidth() {
    }

    static int preferredBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
