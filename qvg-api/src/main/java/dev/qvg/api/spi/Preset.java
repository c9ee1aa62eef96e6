package dev.qvg.api.spi;

import dev.qvg.api.config.QuantizerConfig;
import java.util.Objects;

/**
 * A named complete configuration of a method, with where its numbers come from, e.g. the
 * original's published INT2 settings. {@code --preset NAME} runs it; options that would change
 * what it sets are refused beside it, so a preset always means the same thing.
 *
 * @param name   how users select it (a provider name: letters, digits, single '-')
 * @param source where the settings come from (paper, repository, integration), one line
 * @param config the configuration; its backend is a default, the user's {@code --backend} replaces it
 * @param notes  what the preset implies beyond the quantizer (a cache policy, say), or empty
 */
public record Preset(String name, String source, QuantizerConfig config, String notes) {

    public Preset {
        ProviderNames.check("preset", name);
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(notes, "notes");
    }
}
