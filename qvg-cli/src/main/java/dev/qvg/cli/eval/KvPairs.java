package dev.qvg.cli.eval;

import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which keys go with which values, for attention-level error: a key tensor pairs with the value
 * tensor whose name differs only in the role word ({@code k}/{@code v}, {@code key}/{@code value},
 * {@code keys}/{@code values}, {@code k_cache}/{@code v_cache}, ...) and whose shape is the same;
 * failing that, a file with exactly one key and one value tensor of the same shape pairs them.
 */
public final class KvPairs {

    /** Indices into the tensor list. */
    public record Pair(int keys, int values) {
    }

    private KvPairs() {
    }

    public static List<Pair> find(List<NamedTensor> tensors) {
        return pairs(tensors.stream().map(t -> new Described(t.name(), t.role(), t.tensor().shape())).toList());
    }

    /** {@link #find} for streamed tensors. */
    public static List<Pair> forSources(List<TensorSource> tensors) {
        return pairs(tensors.stream().map(t -> new Described(t.name(), t.role(), t.shape())).toList());
    }

    /** What pairing looks at. */
    private record Described(String name, KvRole role, KvShape shape) {
    }

    private static List<Pair> pairs(List<Described> tensors) {
        List<Pair> out = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            Described k = tensors.get(i);
            if (k.role() != KvRole.KEY) {
                continue;
            }
            String want = partnerName(k.name());
            for (int j = 0; j < tensors.size(); j++) {
                Described v = tensors.get(j);
                if (j != i && v.role() == KvRole.VALUE && v.name().equals(want) && v.shape().equals(k.shape())) {
                    out.add(new Pair(i, j));
                    break;
                }
            }
        }
        if (out.isEmpty()) {
            List<Integer> ks = new ArrayList<>(), vs = new ArrayList<>();
            for (int i = 0; i < tensors.size(); i++) {
                (tensors.get(i).role() == KvRole.KEY ? ks : vs).add(i);
            }
            if (ks.size() == 1 && vs.size() == 1
                    && tensors.get(ks.get(0)).shape().equals(tensors.get(vs.get(0)).shape())) {
                out.add(new Pair(ks.get(0), vs.get(0)));
            }
        }
        return List.copyOf(out);
    }

    /** The name with its last role word swapped from keys to values, keeping the rest. */
    static String partnerName(String name) {
        String[] parts = name.split("(?<=[^A-Za-z0-9])|(?=[^A-Za-z0-9])");
        for (int i = parts.length - 1; i >= 0; i--) {
            String swapped = swap(parts[i]);
            if (swapped != null) {
                parts[i] = swapped;
                return String.join("", parts);
            }
        }
        return null;
    }

    private static String swap(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        String to = switch (w) {
            case "k" -> "v";
            case "key" -> "value";
            case "keys" -> "values";
            case "kcache" -> "vcache";
            case "ks" -> "vs";
            default -> null;
        };
        if (to == null) {
            return null;
        }
        // keep the case of the original (K -> V, Key -> Value)
        if (word.equals(word.toUpperCase(Locale.ROOT))) {
            return to.toUpperCase(Locale.ROOT);
        }
        if (Character.isUpperCase(word.charAt(0))) {
            return Character.toUpperCase(to.charAt(0)) + to.substring(1);
        }
        return to;
    }
}
