package dev.qvg.api.spi;

/** Service-loaded factory of a {@link ResidualQuantizer}. */
public interface ResidualQuantizerProvider extends NamedProvider {
    ResidualQuantizer create();
}
