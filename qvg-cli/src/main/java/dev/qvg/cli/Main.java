package dev.qvg.cli;

import dev.qvg.cli.util.Progress;

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
        // the commands write to this process's stderr: a progress line may be drawn there when it is a terminal
        Progress.attachProcessStderr();
        System.exit(QvgCli.run(System.out, System.err, args));
    }
}
