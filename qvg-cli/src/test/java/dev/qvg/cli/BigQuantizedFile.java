package dev.qvg.cli;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.api.quant.QuantizedKv;
import dev.qvg.api.tensor.KvRole;
import dev.qvg.api.tensor.KvShape;
import dev.qvg.api.tensor.KvTensor;
import dev.qvg.cli.eval.OpenPipeline;
import dev.qvg.io.QuantizedKvStreamWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A large quantized cache made quickly: one group of 16 slices is quantized (RTN int2, block 64)
 * and written at every group's place, so the file is as large as a real one of that shape (its
 * checksums real) for the cost of one group.
 */
final class BigQuantizedFile {

    private static final int GROUP = 16;

    private BigQuantizedFile() {
    }

    static void write(Path file, int heads, int tokens, int headDim) throws IOException {
        QuantizerConfig cfg = QuantizerConfig.builder().method("rtn").bits(2).blockSize(64).backend("cpu").build();
        float[] x = new float[GROUP * tokens * headDim];
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        QuantizedKv part;
        try (OpenPipeline p = OpenPipeline.open(cfg)) {
            part = p.quantizer().quantizeSlices(KvTensor.wrap(new KvShape(1, GROUP, tokens, headDim), x), KvRole.KEY, 0);
        }
        try (QuantizedKvStreamWriter w = QuantizedKvStreamWriter.create(file, cfg, false)) {
            w.beginEntry("k", new KvShape(1, heads, tokens, headDim));
            for (int first = 0; first < heads; first += GROUP) {
                w.write(part, first);
            }
            w.commit();
        }
    }
}
