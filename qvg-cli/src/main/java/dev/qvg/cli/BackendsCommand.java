package dev.qvg.cli;

import dev.qvg.api.registry.Qvg;
import dev.qvg.cli.util.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code qvg backends}: every provider found on the classpath, with rank, availability and capabilities. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = "List the discovered backends, clusterers, smoothers, residual quantizers, methods and presets.")
public final class BackendsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.print(Qvg.describeEnvironment());
        var presets = dev.qvg.api.registry.Methods.presets();
        out.println(presets.isEmpty() ? "  preset: none" : "");
        for (var p : presets.values()) {
            out.println("  preset    " + p.name() + ": " + p.config().label());
            out.println("            from " + p.source() + (p.notes().isEmpty() ? "" : "; " + p.notes()));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
