package dev.qvg.api.registry;

import dev.qvg.api.spi.Availability;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;

/** Registered in test resources: present but never usable, like a GPU backend on a machine without one. */
public class GhostBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "ghost";
    }

    @Override
    public int rank() {
        return 100;
    }

    @Override
    public Availability availability() {
        return Availability.unavailable("no ghost device on this machine");
    }

    @Override
    public Backend create() {
        throw new IllegalStateException("ghost cannot be created");
    }
}
