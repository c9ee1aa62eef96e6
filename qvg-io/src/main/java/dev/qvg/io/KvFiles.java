package dev.qvg.io;

import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One-line entry points for tools: read or write K/V tensors from {@code .safetensors} or
 * {@code .npy}, the format told by the name ending in {@code .npy} or the file's first bytes (NumPy's magic).
 *
 * <pre>{@code
 * Map<String, KvTensor> all = KvFiles.readAll(input, Layout.BHSD);      // every float tensor
 * KvTensor k = KvFiles.read(input, "k", Layout.BSHD);                    // one, by name
 * KvFiles.write(output, Map.of("k", k), DType.BF16, Layout.BHSD, force); // no overwrite unless force
 * }</pre>
 * Returned tensors keep the file's layout; call {@code toBhsd()} before handing them to kernels.
 */
public final class KvFiles {

    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private KvFiles() {
    }

    /**
     * Whether {@code path} is read as npy: its name ends in {@code .npy}, or it starts with the
     * NumPy magic; anything else is treated as safetensors. The name counts so that an npy file
     * with a damaged magic is refused as a bad npy file, not as a bad safetensors header.
     */
    public static boolean isNpy(Path path) throws IOException {
        Path name = path.getFileName();
        if (name != null && name.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".npy")) {
            return true;
        }
        try (InputStream in = Files.newInputStream(path)) {
            return Arrays.equals(in.readNBytes(6), NPY_MAGIC);
        }
    }

    /** Every floating-point tensor of the file, by name, in file order; an npy file's one tensor is named by the file stem. */
    public static Map<String, KvTensor> readAll(Path path, Layout layout) throws IOException {
        return readAll(path, layout, ReadLimits.defaults());
    }

    public static Map<String, KvTensor> readAll(Path path, Layout layout, ReadLimits limits) throws IOException {
        Map<String, KvTensor> out = new LinkedHashMap<>();
        if (isNpy(path)) {
            out.put(stem(path), Npy.readKv(path, layout, limits));
            return out;
        }
        try (SafeTensorsReader r = SafeTensorsReader.open(path, limits)) {
            for (String name : r.names()) {
                if (r.info(name).dtype().isFloating()) {
                    out.put(name, r.kvTensor(name, layout));
                }
            }
        }
        if (out.isEmpty()) {
            throw new CorruptFileException(path, "tensors", "no F32, F16 or BF16 tensor to read");
        }
        return out;
    }

    /** The tensor {@code name} (ignored for npy, which holds one); null name means the only float tensor. */
    public static KvTensor read(Path path, String name, Layout layout) throws IOException {
        return read(path, name, layout, ReadLimits.defaults());
    }

    public static KvTensor read(Path path, String name, Layout layout, ReadLimits limits) throws IOException {
        if (isNpy(path)) {
            return Npy.readKv(path, layout, limits);
        }
        try (SafeTensorsReader r = SafeTensorsReader.open(path, limits)) {
            if (name == null) {
                var floats = r.names().stream().filter(n -> r.info(n).dtype().isFloating()).toList();
                if (floats.size() != 1) {
                    throw new IllegalArgumentException(path + " holds " + floats.size() + " float tensors " + floats
                            + "; name the one to read");
                }
                name = floats.get(0);
            }
            return r.kvTensor(name, layout);
        }
    }

    /**
     * Writes tensors as rank-4 dims in {@code fileLayout}: a safetensors file of all of them, or,
     * when {@code path} ends in {@code .npy}, an npy file of the single one given.
     */
    public static void write(Path path, Map<String, KvTensor> tensors, DType dtype, Layout fileLayout, boolean force)
            throws IOException {
        if (path.getFileName().toString().endsWith(".npy")) {
            if (tensors.size() != 1) {
                throw new IllegalArgumentException("an npy file holds one tensor, got " + tensors.keySet());
            }
            Npy.writeKv(path, tensors.values().iterator().next(), dtype, fileLayout, force);
            return;
        }
        SafeTensorsWriter w = new SafeTensorsWriter();
        tensors.forEach((n, t) -> w.addKv(n, t, dtype, fileLayout));
        w.write(path, force);
    }

    private static String stem(Path path) {
        String f = path.getFileName().toString();
        int dot = f.indexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }
}
