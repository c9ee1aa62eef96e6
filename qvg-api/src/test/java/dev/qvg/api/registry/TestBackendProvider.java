package dev.qvg.api.registry;

import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;
import java.util.Set;

/** Registered in test resources: the reference kernels under the name {@code testref}. */
public class TestBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "testref";
    }

    @Override
    public int rank() {
        return 5;
    }

    @Override
    public Set<String> capabilities() {
        return Set.of("bits=2,3,4,8");
    }

    @Override
    public Backend create() {
        return new ReferenceBackend();
    }
}
