package dev.qvg.api.spi;

/** Service-loaded factory of a {@link Backend} (META-INF/services/dev.qvg.api.spi.BackendProvider). */
public interface BackendProvider extends NamedProvider {

    /** A new backend; only called when {@link #availability()} says available. */
    Backend create();
}
