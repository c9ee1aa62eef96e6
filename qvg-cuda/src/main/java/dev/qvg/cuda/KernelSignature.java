package dev.qvg.cuda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.NativePointerObject;

/**
 * A kernel's parameter sizes and thread count as its PTX declares them, so that every launch is
 * checked against the compiled code before it reaches the driver: a wrong argument order or
 * width would otherwise corrupt memory silently on the GPU.
 *
 * @param paramBytes size in bytes of each parameter, in order
 * @param threads    the block size the kernel is written for ({@code .maxntid} of its
 *                   {@code __launch_bounds__}); every qvg kernel maps threads to work assuming exactly this
 */
record KernelSignature(String name, List<Integer> paramBytes, int threads) {

    private static final Pattern ENTRY = Pattern.compile(
            "\\.visible \\.entry (\\w+)\\(([^)]*)\\)\\s*(?:\\.maxntid (\\d+), (\\d+), (\\d+))?");
    private static final Pattern PARAM = Pattern.compile("\\.param \\.[a-z](8|16|32|64) ");

    /** The entries of one PTX module. */
    static Map<String, KernelSignature> parse(String ptx) {
        Map<String, KernelSignature> out = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            List<Integer> sizes = new ArrayList<>();
            for (String p : m.group(2).split(",")) {
                if (p.isBlank()) {
                    continue;
                }
                Matcher pm = PARAM.matcher(p.trim() + " ");
                if (!pm.find()) {
                    throw new IllegalStateException("PTX entry " + m.group(1) + ": unsupported parameter '" + p.trim() + "'");
                }
                sizes.add(Integer.parseInt(pm.group(1)) / 8);
            }
            int threads = m.group(3) == null ? 0
                    : Integer.parseInt(m.group(3)) * Integer.parseInt(m.group(4)) * Integer.parseInt(m.group(5));
            out.put(m.group(1), new KernelSignature(m.group(1), List.copyOf(sizes), threads));
        }
        return out;
    }

    /** Fails, naming the kernel and the argument, unless the launch matches this signature. */
    void check(int[] grid, int block, Object... args) {
        if (grid.length < 1 || grid.length > 3) {
            throw new IllegalArgumentException(name + ": grid must have 1 to 3 dimensions, got " + grid.length);
        }
        for (int i = 0; i < grid.length; i++) {
            long max = i == 0 ? Integer.MAX_VALUE : 65535;
            if (grid[i] < 1 || grid[i] > max) {
                throw new IllegalArgumentException(name + ": grid dimension " + i + " is " + grid[i] + ", must be in [1, "
                        + max + "]");
            }
        }
        if (threads != 0 && block != threads) {
            throw new IllegalArgumentException(name + ": written for blocks of " + threads + " threads, launched with " + block);
        }
        if (args.length != paramBytes.size()) {
            throw new IllegalArgumentException(name + ": takes " + paramBytes.size() + " parameters, got " + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            int size = sizeOf(args[i]);
            if (size != paramBytes.get(i)) {
                throw new IllegalArgumentException(name + ": parameter " + i + " is " + paramBytes.get(i) + " bytes wide, got a "
                        + (args[i] == null ? "null" : args[i].getClass().getSimpleName()) + " (" + size + " bytes)");
            }
        }
    }

    private static int sizeOf(Object a) {
        if (a instanceof NativePointerObject || a instanceof Long) {
            return 8;
        }
        if (a instanceof Integer) {
            return 4;
        }
        return -1;
    }
}
