package dev.qvg.cli;

import dev.qvg.api.tensor.KvTensor;
import dev.qvg.io.DType;
import dev.qvg.io.SafeTensorsWriter;
import dev.qvg.io.VideoKvConfig;
import dev.qvg.io.VideoKvGenerator;
import java.io.IOException;
import java.nio.file.Path;

/** Small K/V files for the command tests: 2 frames of 8 x 8 tokens, 2 heads of 64 (128 tokens). */
final class TestData {

    static final VideoKvConfig SMALL = VideoKvConfig.defaults().withSize(2, 8, 8, 2, 64).withSeed(7);

    private TestData() {
    }

    static VideoKvGenerator.VideoKv small() {
        return VideoKvGenerator.generate(SMALL);
    }

    /** Writes {@code k} and {@code v} as F32 and returns the file. */
    static Path writeSmall(Path dir) throws IOException {
        VideoKvGenerator.VideoKv kv = small();
        Path f = dir.resolve("kv.safetensors");
        new SafeTensorsWriter().metadata("source", "qvg-cli test").addKv("k", kv.keys(), DType.F32)
                .addKv("v", kv.values(), DType.F32).write(f, false);
        return f;
    }

    static Path write(Path file, String name, KvTensor t) throws IOException {
        new SafeTensorsWriter().addKv(name, t, DType.F32).write(file, false);
        return file;
    }
}
