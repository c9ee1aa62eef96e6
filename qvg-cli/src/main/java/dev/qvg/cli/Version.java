package dev.qvg.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code qvg --version}: the jar's implementation version and the Java runtime. */
public final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Version.class.getPackage().getImplementationVersion();
        return new String[] {"qvg " + (v == null ? "0.1.0-SNAPSHOT" : v),
            "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
}
