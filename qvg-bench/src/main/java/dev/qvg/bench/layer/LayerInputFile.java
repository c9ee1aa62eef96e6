package dev.qvg.bench.layer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvg.api.tensor.Bf16;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.io.AtomicFiles;
import dev.qvg.io.SafeTensorsReader;
import dev.qvg.io.VideoKvGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a {@link LayerInputSpec}'s file: a {@code .safetensors} of BF16 tensors, generated and
 * written one layer at a time, so a file of many layers (several GB) needs the memory of one
 * layer only. qvg-io's {@code SafeTensorsWriter} holds every tensor until it writes, hence this
 * streaming variant of the same format: header first (tensors in order, {@code __metadata__}
 * first, padded with spaces to 8 bytes), then the data; written atomically
 * ({@link AtomicFiles}).
 */
public final class LayerInputFile {

    /** Metadata key holding {@link LayerInputSpec#describe()}: a file is reused only when it matches. */
    public static final String SPEC_KEY = "qvg-bench.layer-input";
    private static final int CHUNK_VALUES = 1 << 19;

    private LayerInputFile() {
    }

    /** Whether {@code path} is a readable file made from exactly {@code spec}. */
    public static boolean matches(Path path, LayerInputSpec spec) {
        if (!Files.isRegularFile(path)) {
            return false;
        }
        try (SafeTensorsReader r = SafeTensorsReader.open(path)) {
            return spec.describe().equals(r.metadata().get(SPEC_KEY)) && r.names().equals(spec.tensorNames());
        } catch (IOException | RuntimeException e) {
            return false; // unreadable or not ours: regenerate
        }
    }

    /** Generates and writes the file; progress lines go to {@code log}. */
    public static void write(Path path, LayerInputSpec spec, boolean force, PrintStream log) throws IOException {
        byte[] header = header(spec);
        AtomicFiles.write(path, force, ch -> {
            ByteBuffer lead = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            writeFully(ch, lead.flip());
            writeFully(ch, ByteBuffer.wrap(header));
            ByteBuffer buf = ByteBuffer.allocateDirect(2 * CHUNK_VALUES).order(ByteOrder.LITTLE_ENDIAN);
            for (int layer = 0; layer < spec.layers(); layer++) {
                long t0 = System.nanoTime();
                VideoKvGenerator.VideoKv kv = VideoKvGenerator.generate(spec.layerConfig(layer));
                List<String> names = spec.tensorNames();
                writeBf16(ch, buf, names.get(2 * layer), kv.keys());
                writeBf16(ch, buf, names.get(2 * layer + 1), kv.values());
                log.printf("layer-input: layer %d of %d generated and written in %.1f s%n", layer + 1, spec.layers(),
                        (System.nanoTime() - t0) / 1e9);
            }
        });
    }

    private static void writeBf16(FileChannel ch, ByteBuffer buf, String name, KvTensor t) throws IOException {
        float[] data = t.data();
        for (int from = 0; from < data.length; from += CHUNK_VALUES) {
            int to = Math.min(data.length, from + CHUNK_VALUES);
            buf.clear();
            for (int i = from; i < to; i++) {
                short b = Bf16.fromFloat(data[i]);
                if ((b & 0x7F80) == 0x7F80) {
                    throw new IllegalStateException("tensor '" + name + "': value " + data[i] + " at flat index " + i
                            + " is not a finite bfloat16");
                }
                buf.putShort(b);
            }
            writeFully(ch, buf.flip());
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** The JSON header, space-padded so the data starts 8-byte aligned. */
    static byte[] header(LayerInputSpec spec) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ObjectNode meta = root.putObject("__metadata__");
        meta.put(SPEC_KEY, spec.describe());
        meta.put("source", "qvg-bench LayerInput (qvg-io VideoKvGenerator, synthetic video-like K/V)");
        long offset = 0;
        for (String name : spec.tensorNames()) {
            ObjectNode o = root.putObject(name);
            o.put("dtype", "BF16");
            var shape = o.putArray("shape");
            Arrays.stream(spec.tensorShape()).forEach(shape::add);
            o.putArray("data_offsets").add(offset).add(offset + spec.tensorBytes());
            offset += spec.tensorBytes();
        }
        byte[] text = root.toString().getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(text, (text.length + 7) / 8 * 8);
        Arrays.fill(padded, text.length, padded.length, (byte) ' ');
        return padded;
    }
}
