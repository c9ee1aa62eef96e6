package dev.qvg.api.spi;

import dev.qvg.api.config.QuantizerConfig;

/** Service-loaded factory of a whole-method {@link Quantizer}; its name is the config's {@code method}. */
public interface QuantizerProvider extends NamedProvider {

    /**
     * @throws IllegalArgumentException when the config asks for something this method cannot do
     *                                  (naming the parameter)
     */
    Quantizer create(QuantizerConfig config, QuantizerContext context);
}
