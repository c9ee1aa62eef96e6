package dev.qvg.spark;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.tools.tune.TunedConfigFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sweep's configurations, written once by the driver into the output folder as a qvg config
 * file ({@code configs.json}, format {@code qvg-quantizer-config/1}, keyed {@code c0}, {@code c1}, ...:
 * numbers round-trip exactly) and read by each executor once per JVM. The same file can be given
 * to {@code qvg compress --config} after renaming a key to a tensor name.
 */
final class Configs {

    static final String FILE = "configs.json";

    private static final Map<String, List<QuantizerConfig>> CACHE = new ConcurrentHashMap<>();

    private Configs() {
    }

    static void write(Path file, List<QuantizerConfig> configs) throws IOException {
        Map<String, QuantizerConfig> m = new LinkedHashMap<>();
        for (int i = 0; i < configs.size(); i++) {
            m.put(key(i), configs.get(i));
        }
        TunedConfigFile.writeConfigs(file, m);
    }

    static List<QuantizerConfig> read(Path file) throws IOException {
        Map<String, QuantizerConfig> m = TunedConfigFile.read(file);
        List<QuantizerConfig> out = new ArrayList<>();
        for (int i = 0; m.containsKey(key(i)); i++) {
            out.add(m.get(key(i)));
        }
        if (out.size() != m.size()) {
            throw new IllegalArgumentException(file + ": keys must be c0, c1, ... in order");
        }
        return List.copyOf(out);
    }

    /** The configurations of {@code file}, read once per JVM and version of the file. */
    static List<QuantizerConfig> cached(Path file) {
        String key;
        try {
            key = file + "\u0000" + java.nio.file.Files.getLastModifiedTime(file).toMillis() + "\u0000"
                    + java.nio.file.Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading the sweep's configurations " + file + ": " + e.getMessage(), e);
        }
        return CACHE.computeIfAbsent(key, f -> {
            try {
                return read(file);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("reading the sweep's configurations " + file + ": " + e.getMessage(), e);
            }
        });
    }

    private static String key(int i) {
        return "c" + i;
    }
}
