package dev.qvg.cli;

import dev.qvg.api.tensor.KvRole;
import dev.qvg.cli.eval.NamedTensor;
import dev.qvg.io.VideoKvConfig;
import dev.qvg.io.VideoKvGenerator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;

/** The built-in video-like K and V tensors of qvg-io's {@link VideoKvGenerator}, sized by {@link BuiltinOptions}. */
final class BuiltinData {

    record Generated(List<NamedTensor> tensors, String description) {
    }

    private BuiltinData() {
    }

    static VideoKvConfig config(BuiltinOptions o, CommandSpec spec) {
        int[] g = o.grid(spec);
        return VideoKvConfig.defaults().withSize(o.frames(), g[0], g[1], o.heads(), o.headDim()).withSeed(o.dataSeed());
    }

    static Generated generate(BuiltinOptions o, CommandSpec spec) {
        VideoKvConfig c = config(o, spec);
        VideoKvGenerator.VideoKv kv = VideoKvGenerator.generate(c);
        String desc = String.format(Locale.ROOT,
                "built-in video-like KV (%d frames of %dx%d tokens, %d heads x %d, %d moving regions, %d outlier key channels, seed %d)",
                c.frames(), c.gridHeight(), c.gridWidth(), c.heads(), c.headDim(), c.regions(), c.outlierChannels(),
                c.seed());
        return new Generated(List.of(new NamedTensor("k", KvRole.KEY, kv.keys()),
                new NamedTensor("v", KvRole.VALUE, kv.values())), desc);
    }
}
