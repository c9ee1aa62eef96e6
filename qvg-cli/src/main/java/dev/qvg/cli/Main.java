package dev.qvg.cli;

/** Entry point of the executable jar: runs {@link QvgCli} and exits with its code. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // charts are drawn off-screen; without this AWT may look for a display
        System.setProperty("java.awt.headless", "true");
        // ND4J logs its start-up at INFO through slf4j-simple; a command's output should be its own
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(QvgCli.run(System.out, System.err, args));
    }
}
