package dev.qvg.api.spi;

/** Service-loaded factory of a {@link Smoother}. */
public interface SmootherProvider extends NamedProvider {
    Smoother create();
}
