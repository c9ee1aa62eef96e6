package dev.qvg.all;

// README.md's "Using it from Java" shows the lines between README:begin and README:end byte for
// byte; ReadmeExampleTest compiles and runs them and fails when the two differ. Edit both together.
// README:begin
import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.metrics.ErrorMetrics;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.spi.Quantizer;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.api.tensor.Layout;
import dev.qvg.inject.Pipelines;
import dev.qvg.io.KvFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

public class QuantizeKv {

    public static void main(String[] args) throws IOException {
        KvTensor keys;
        if (args.length > 0) {
            // a tensor of a PyTorch/NumPy dump: entry "k" of a .safetensors file (or a .npy file), F32, F16
            // or BF16, dims [batch, heads, tokens, head dim] (Layout.BSHD: [batch, tokens, heads, head dim])
            keys = KvFiles.read(Path.of(args[0]), "k", Layout.BHSD);
        } else {
            // floats you hold, [batch, heads, tokens, head dim] in row-major order (not copied)
            float[] floats = new float[1 * 2 * 4096 * 128];
            Random random = new Random(42);
            for (int i = 0; i < floats.length; i++) {
                floats[i] = (float) random.nextGaussian();
            }
            keys = KvTensor.wrap(new KvShape(1, 2, 4096, 128), floats);
        }

        QuantizerConfig cfg = QuantizerConfig.builder()      // unset: the published INT2 configuration (prq, 1 stage)
                .method("prq").stages(2).bits(2).blockSize(64).clusters(256).seed(7)
                .backend("cpu")
                .build();
        try (Quantizer q = Pipelines.quantizer(cfg)) {       // backend, clusterer, smoother and PRQ assembled by name
            QuantizedKv code = q.quantize(keys, KvRole.KEY);  // BHSD or BSHD input, never modified
            KvTensor back = q.dequantize(code);               // BHSD float32
            ErrorMetrics err = ErrorMetrics.compare(keys.toBhsd().data(), back.data(), keys.shape().headDim());
            System.out.printf("%s: %.4f bits per value, relative L2 error %.4f%n",
                    cfg.label(), code.budget().bitsPerValue(), err.relL2());
        }                                                     // closing the quantizer closes its backend (threads, device memory)
    }
}
// README:end
