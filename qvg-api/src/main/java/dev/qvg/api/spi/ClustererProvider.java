package dev.qvg.api.spi;

/** Service-loaded factory of a {@link Clusterer}. */
public interface ClustererProvider extends NamedProvider {
    Clusterer create();
}
