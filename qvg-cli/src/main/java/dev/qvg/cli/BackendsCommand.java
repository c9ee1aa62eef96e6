package dev.qvg.cli;

import dev.qvg.api.registry.Qvg;
import dev.qvg.cli.util.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code qvg backends}: every provider found on the classpath, with rank, availability and capabilities. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = "List the discovered backends, clusterers, smoothers, residual quantizers and methods.")
public final class BackendsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(Qvg.describeEnvironment());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
