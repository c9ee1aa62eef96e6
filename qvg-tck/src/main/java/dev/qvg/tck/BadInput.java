package dev.qvg.tck;

import dev.qvg.api.spi.Backend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One bad call of the backend contract: what is wrong, the parameter the message must name,
 * and a factory of fresh arguments (each attempt gets its own arrays, so a backend that writes
 * before checking is caught by comparing them afterwards).
 *
 * @param parameter the word the exception message must contain
 */
public record BadInput(String description, String parameter, Supplier<Attempt> attempt) {

    @Override
    public String toString() {
        return description;
    }

    /** The arrays passed to one call and the call itself. */
    public static final class Attempt {
        private final Object[] arrays;
        private final Consumer<Backend> call;

        public Attempt(Consumer<Backend> call, Object... arrays) {
            this.call = call;
            this.arrays = arrays;
        }

        /** Runs the call; returns what it threw, or {@code null} if it returned normally. */
        public Throwable run(Backend b) {
            try {
                call.accept(b);
                return null;
            } catch (RuntimeException | Error e) {
                return e;
            }
        }

        /** A deep copy of the argument arrays as they are now. */
        public List<Object> snapshot() {
            List<Object> l = new ArrayList<>();
            for (Object a : arrays) {
                l.add(copy(a));
            }
            return l;
        }

        /** Indices of argument arrays that differ from {@code before}. */
        public List<Integer> changedSince(List<Object> before) {
            List<Integer> changed = new ArrayList<>();
            for (int i = 0; i < arrays.length; i++) {
                if (!Arrays.deepEquals(new Object[]{before.get(i)}, new Object[]{arrays[i]})) {
                    changed.add(i);
                }
            }
            return changed;
        }

        private static Object copy(Object a) {
            if (a instanceof float[] f) {
                return f.clone();
            }
            if (a instanceof int[] i) {
                return i.clone();
            }
            if (a instanceof boolean[] z) {
                return z.clone();
            }
            if (a instanceof byte[] b) {
                return b.clone();
            }
            return a;
        }
    }
}
