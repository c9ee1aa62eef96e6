package dev.qvg.cli;

import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.Layout;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.cli.util.ExitCodes;
import dev.qvg.cli.util.GroupOptions;
import dev.qvg.cli.util.Progress;
import dev.qvg.cli.util.SafeOutput;
import dev.qvg.io.DType;
import dev.qvg.io.EntryNames;
import dev.qvg.io.KvStreamWriter;
import dev.qvg.io.QuantizedKvStreamReader;
import dev.qvg.io.SliceGroups;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code qvg decompress}: reconstructs every entry of a quantized-cache file into a plain
 * {@code .safetensors} (or, for one entry, {@code .npy}) file. Decoding runs on a backend
 * ({@code --backend}, cpu by default; {@link EntryDecoders}), to the same bits as the backend-free
 * {@link dev.qvg.api.quant.ReferenceDecoder}, which decodes entries whose method's plug-in is absent.
 * It streams: each group of (batch, head) slices is read, decoded, converted and written at its
 * offset, so memory stays bounded whatever the file's size; the progress line (with ETA) ticks per
 * group. Tensors are written under the entries' names, as they were when compressed.
 */
@Command(name = "decompress", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Reconstruct the tensors of a quantized-cache file into a .safetensors or .npy file.",
        footer = {"", "Example:", "  qvg decompress --input kv.qvg.safetensors --output kv-restored.safetensors"})
public final class DecompressCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    QvgCommand root;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE", description = "A quantized-cache file.")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The .safetensors or .npy file to write.")
    Path output;

    @Option(names = "--dtype", paramLabel = "f32|bf16|f16",
            description = "Element type written (default: ${DEFAULT-VALUE}: exactly the reconstruction).")
    String dtype = "f32";

    @Option(names = "--layout", paramLabel = "bhsd|bshd", description = "Axis order written (default: ${DEFAULT-VALUE}).")
    String layout = "bhsd";

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend that decodes (default: ${DEFAULT-VALUE}); every backend gives the same bits.")
    String backend = "cpu";

    @Option(names = "--force", description = "Overwrite the output file.")
    boolean force;

    @Mixin
    GroupOptions groups = new GroupOptions();

    @Override
    public Integer call() throws Exception {
        DType type = parseDtype();
        Layout fileLayout;
        try {
            fileLayout = Layout.parse(layout);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--layout: " + e.getMessage());
        }
        boolean npy = output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy");
        if (npy && type == DType.BF16) {
            throw new ParameterException(spec.commandLine(), "--dtype: .npy has no bf16; use f32 or f16");
        }
        long groupBytes = groups.bytes(spec);
        QuantOptions.checkProviders(spec, java.util.List.of(), backend);
        SafeOutput.checkWritable(output, force, input);
        try (QuantizedKvStreamReader in = QuantizedKvStreamReader.open(input);
             EntryDecoders decoders = new EntryDecoders(backend, in.config())) {
            List<String> names = in.entries();
            if (npy && names.size() != 1) {
                throw new BadInputException(input + " holds " + names.size() + " entries " + names
                        + "; a .npy file holds one: write a .safetensors file instead");
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("qvg.decompressed_from", input.getFileName().toString());
            if (in.config() != null) {
                meta.put("qvg.config", in.config().label());
            }
            List<KvStreamWriter.Tensor> tensors = names.stream().map(n -> new KvStreamWriter.Tensor(n, in.shape(n))).toList();
            SafeOutput.createParent(output);
            int cores = Runtime.getRuntime().availableProcessors();
            long values = 0;
            for (String n : names) {
                values += in.shape(n).numel();
            }
            long work = values;
            try (Progress progress = Progress.forTerminal(spec.commandLine().getErr(), root != null && root.quiet())) {
                KvStreamWriter.write(output, tensors, type, fileLayout, npy ? Map.of() : meta, force, sink -> {
                    progress.start("decompress", work); // one tick per group of slices, weighted by its values
                    float[] buf = new float[0];
                    for (int i = 0; i < names.size(); i++) {
                        String name = names.get(i);
                        SliceGroups groups = SliceGroups.plan(in.shape(name), groupBytes, cores);
                        for (int g = 0; g < groups.count(); g++) {
                            int first = groups.first(g), count = groups.size(g);
                            QuantizedKv part = in.part(name, first, count);
                            int size = count * in.shape(name).sliceSize();
                            if (buf.length != size) {
                                buf = new float[size];
                            }
                            decoders.decode(in.method(name), part, buf);
                            sink.write(i, first, count, buf);
                            progress.advance(size, EntryNames.printable(name) + " slices " + first + "-" + (first + count - 1));
                        }
                    }
                    in.requireUnchanged(); // what was decoded is what was verified, or nothing is published
                });
            }
            var out = spec.commandLine().getOut();
            for (String n : names) {
                out.printf(Locale.ROOT, "  %-12s %-18s %s (%s)%n", EntryNames.printable(n), in.shape(n), in.method(n),
                        in.role(n).name().toLowerCase(Locale.ROOT));
            }
            out.println("wrote " + output + " (" + type + ", " + fileLayout + ")");
            out.flush();
        }
        return ExitCodes.OK;
    }

    private DType parseDtype() {
        switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32": case "float32": return DType.F32;
            case "bf16": case "bfloat16": return DType.BF16;
            case "f16": case "float16": return DType.F16;
            default: throw new ParameterException(spec.commandLine(), "--dtype: unknown value '" + dtype
                    + "', expected f32, bf16 or f16");
        }
    }
}
