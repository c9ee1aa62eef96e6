package dev.qvg.cli;

import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.quant.ReferenceDecoder;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.cli.util.ExitCodes;
import dev.qvg.cli.util.SafeOutput;
import dev.qvg.io.DType;
import dev.qvg.io.Npy;
import dev.qvg.io.QuantizedKvFile;
import dev.qvg.io.SafeTensorsWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code qvg decompress}: reconstructs every entry of a quantized-cache file into a plain
 * {@code .safetensors} (or, for one entry, {@code .npy}) file. Decoding uses the backend-free
 * {@link ReferenceDecoder}, so a file decodes without the plug-in that wrote it.
 */
@Command(name = "decompress", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Reconstruct the tensors of a quantized-cache file into a .safetensors or .npy file.",
        footer = {"", "Example:", "  qvg decompress --input kv.qvg.safetensors --output kv-restored.safetensors"})
public final class DecompressCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE", description = "A quantized-cache file.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "The .safetensors or .npy file to write.")
    Path output;

    @Option(names = "--dtype", paramLabel = "f32|bf16|f16",
            description = "Element type written (default: ${DEFAULT-VALUE}: exactly the reconstruction).")
    String dtype = "f32";

    @Option(names = "--layout", paramLabel = "bhsd|bshd", description = "Axis order written (default: ${DEFAULT-VALUE}).")
    String layout = "bhsd";

    @Option(names = "--force", description = "Overwrite the output file.")
    boolean force;

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
        SafeOutput.checkWritable(output, force);
        QuantizedKvFile.Contents c = QuantizedKvFile.read(input);
        if (npy && c.entries().size() != 1) {
            throw new BadInputException(input + " holds " + c.entries().size() + " entries " + c.entries().keySet()
                    + "; a .npy file holds one: write a .safetensors file instead");
        }
        var out = spec.commandLine().getOut();
        SafeOutput.createParent(output);
        if (npy) {
            Map.Entry<String, QuantizedKv> e = c.entries().entrySet().iterator().next();
            Npy.writeKv(output, ReferenceDecoder.decode(e.getValue()), type, fileLayout, force);
        } else {
            SafeTensorsWriter w = new SafeTensorsWriter().metadata("qvg.decompressed_from", input.getFileName().toString());
            if (c.config() != null) {
                w.metadata("qvg.config", c.config().label());
            }
            for (Map.Entry<String, QuantizedKv> e : c.entries().entrySet()) {
                KvTensor t = ReferenceDecoder.decode(e.getValue());
                w.addKv(e.getKey(), t, type, fileLayout);
            }
            w.write(output, force);
        }
        for (Map.Entry<String, QuantizedKv> e : c.entries().entrySet()) {
            out.printf(Locale.ROOT, "  %-12s %-18s %s (%s)%n", e.getKey(), e.getValue().shape(), e.getValue().method(),
                    e.getValue().role().name().toLowerCase(Locale.ROOT));
        }
        out.println("wrote " + output + " (" + type + ", " + fileLayout + ")");
        out.flush();
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
