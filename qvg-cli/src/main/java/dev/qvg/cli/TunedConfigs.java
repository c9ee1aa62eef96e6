package dev.qvg.cli;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.cli.util.BadInputException;
import dev.qvg.tools.tune.TunedConfigFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Reads a {@code qvg tune} configuration file for {@code compress --config} and {@code eval --config}. */
final class TunedConfigs {

    private TunedConfigs() {
    }

    /** The file's configurations by tensor name; a missing, malformed or empty file is bad input (exit 1). */
    static Map<String, QuantizerConfig> read(Path file) {
        try {
            Map<String, QuantizerConfig> m = TunedConfigFile.read(file);
            if (m.isEmpty()) {
                throw new BadInputException(file + ": the config file names no tensor");
            }
            return m;
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read the config file: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
    }
}
