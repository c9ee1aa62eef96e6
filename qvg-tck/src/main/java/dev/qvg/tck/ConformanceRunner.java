package dev.qvg.tck;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.qvg.api.registry.Qvg;
import dev.qvg.api.spi.Backend;
import dev.qvg.api.spi.BackendProvider;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the whole kit ({@link BaseBackendTestCase}) against one backend outside a build, through
 * the JUnit Platform Launcher, and returns a {@link ConformanceReport}; {@code qvg conformance
 * --backend NAME} is a thin wrapper over {@link #run(String, Options)} and {@link ConformanceReport#table()}.
 *
 * <p>The full contract is checked (every capability switch on; concurrent calls when the provider
 * lists {@code thread-safe}), with the {@code slow} tier excluded unless
 * {@link Options#includeSlow()}. Runs are serialised: one at a time per JVM.
 */
public final class ConformanceRunner {

    private ConformanceRunner() {
    }

    /**
     * @param seed        master seed, or {@code null} for the system property / a random printed one
     * @param multiplier  size multiplier (1 = the normal tier)
     * @param includeSlow also run tests tagged {@code slow}
     */
    public record Options(Long seed, double multiplier, boolean includeSlow) {
        public Options {
            if (!(multiplier >= 0.25 && multiplier <= 1000)) {
                throw new IllegalArgumentException("multiplier: must be in [0.25, 1000], got " + multiplier);
            }
        }

        public static Options defaults() {
            return new Options(null, 1.0, false);
        }

        public Options withSeed(long s) {
            return new Options(s, multiplier, includeSlow);
        }
    }

    /** The kit against the registered backend {@code name} (must be available here). */
    public static ConformanceReport run(String name) {
        return run(name, Options.defaults());
    }

    public static ConformanceReport run(String name, Options options) {
        BackendProvider p = Qvg.backends().getAvailable(name);
        return run(name, p::create, options, p.capabilities().contains("thread-safe"));
    }

    /**
     * The kit against backends made by {@code factory} (called once per kit group), e.g. a
     * backend under development that is not registered yet.
     *
     * @param label name shown in the report until the backend reports its own
     */
    public static ConformanceReport run(String label, Supplier<Backend> factory, Options options) {
        return run(label, factory, options, false);
    }

    /**
     * As {@link #run(String, Supplier, Options)}; {@code threadSafe} also checks concurrent calls
     * (what a provider listing the {@code thread-safe} capability promises).
     */
    public static synchronized ConformanceReport run(String label, Supplier<Backend> factory, Options options,
                                                     boolean threadSafe) {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(options, "options");
        AtomicReference<String> reported = new AtomicReference<>(label);
        ConformanceTarget.install(() -> {
            Backend b = factory.get();
            if (b != null) {
                reported.set(b.name());
            }
            return b;
        }, threadSafe);
        try {
            return execute(ConformanceTarget.class, "backend", reported::get, options);
        } finally {
            ConformanceTarget.install(null, false);
        }
    }

    /** The SPIs besides backends that {@link #runProvider} checks, by their registry's kind. */
    public enum Kind {
        CLUSTERER(SpiConformanceTargets.ClustererTarget.class),
        SMOOTHER(SpiConformanceTargets.SmootherTarget.class),
        RESIDUAL(SpiConformanceTargets.ResidualTarget.class),
        METHOD(SpiConformanceTargets.MethodTarget.class);

        final Class<?> target;

        Kind(Class<?> target) {
            this.target = target;
        }

        /** Whether the registry of this kind holds {@code name}. */
        public boolean registered(String name) {
            return switch (this) {
                case CLUSTERER -> Qvg.clusterers().contains(name);
                case SMOOTHER -> Qvg.smoothers().contains(name);
                case RESIDUAL -> Qvg.residuals().contains(name);
                case METHOD -> Qvg.quantizers().contains(name);
            };
        }
    }

    /**
     * The kit of {@code kind} against its registered provider {@code name}: clusterers
     * ({@link BaseClustererTestCase}), smoothers, residual quantizers and whole methods (with the
     * method's default knobs on the reference backend).
     */
    public static synchronized ConformanceReport runProvider(Kind kind, String name, Options options) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(options, "options");
        SpiConformanceTargets.name = Objects.requireNonNull(name, "name");
        try {
            return execute(kind.target, kind.name().toLowerCase(java.util.Locale.ROOT), () -> name, options);
        } finally {
            SpiConformanceTargets.name = null;
        }
    }

    private static ConformanceReport execute(Class<?> target, String kind, Supplier<String> label, Options options) {
        TckSettings settings = TckSettings.from(k -> switch (k) {
            case TckSettings.SEED -> Optional.ofNullable(options.seed() == null ? System.getProperty(k)
                    : TckSettings.formatSeed(options.seed()));
            case TckSettings.MULTIPLIER -> Optional.of(Double.toString(options.multiplier()));
            default -> Optional.empty();
        });
        LauncherDiscoveryRequestBuilder rb = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(target))
                .configurationParameter(TckSettings.SEED, TckSettings.formatSeed(settings.seed()))
                .configurationParameter(TckSettings.MULTIPLIER, Double.toString(settings.multiplier()));
        if (!options.includeSlow()) {
            rb.filters(TagFilter.excludeTags("slow"));
        }
        LauncherDiscoveryRequest request = rb.build();
        Collector collector = new Collector();
        long t0 = System.nanoTime();
        LauncherFactory.create().execute(request, collector);
        return new ConformanceReport(kind, label.get(), settings.seed(), settings.multiplier(), collector.entries,
                Duration.ofNanos(System.nanoTime() - t0));
    }

    /** Records every test's outcome with its group (the kit class) and its full case name. */
    private static final class Collector implements TestExecutionListener {
        private TestPlan plan;
        final List<ConformanceReport.Entry> entries = new ArrayList<>();

        @Override
        public void testPlanExecutionStarted(TestPlan testPlan) {
            plan = testPlan;
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            if (id.isTest()) {
                add(id, ConformanceReport.Status.SKIPPED, reason);
            }
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            ConformanceReport.Status s = switch (result.getStatus()) {
                case SUCCESSFUL -> ConformanceReport.Status.PASSED;
                case ABORTED -> ConformanceReport.Status.SKIPPED;
                case FAILED -> ConformanceReport.Status.FAILED;
            };
            // Containers are reported only when they fail (a @BeforeAll error hides their tests).
            if (id.isTest() || s == ConformanceReport.Status.FAILED) {
                add(id, s, result.getThrowable().map(t -> t.getMessage() == null ? t.toString() : t.getMessage()).orElse(""));
            }
        }

        private void add(TestIdentifier id, ConformanceReport.Status s, String message) {
            // Walk up to the kit group (a class container); the names below it make the test name.
            List<String> names = new ArrayList<>();
            String group = "kit";
            TestIdentifier cur = id;
            while (cur != null) {
                if (cur.getSource().filter(src -> src instanceof org.junit.platform.engine.support.descriptor.ClassSource)
                        .isPresent()) {
                    group = cur.getDisplayName();
                    break;
                }
                names.add(0, cur.getDisplayName());
                cur = plan.getParent(cur).orElse(null);
            }
            entries.add(new ConformanceReport.Entry(group, String.join(" ", names), s, message));
        }
    }

    /**
     * {@code java dev.qvg.tck.ConformanceRunner --backend NAME [--seed S] [--multiplier M] [--slow]}:
     * prints the table and exits 0 when the backend passes, 1 when it fails, 2 on bad arguments.
     */
    public static void main(String[] args) {
        System.exit(runCli(args, System.out, System.err));
    }

    /** The CLI's work, testable: returns the exit status. */
    public static int runCli(String[] args, PrintStream out, PrintStream err) {
        String backend = null;
        Long seed = null;
        double mult = 1.0;
        boolean slow = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--backend" -> backend = args[++i];
                    case "--seed" -> seed = TckSettings.parseSeed(args[++i]);
                    case "--multiplier" -> mult = Double.parseDouble(args[++i]);
                    case "--slow" -> slow = true;
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
            if (backend == null) {
                throw new IllegalArgumentException("--backend NAME is required; available: "
                        + String.join(", ", Qvg.backends().list().stream().map(p -> p.name()).toList()));
            }
            ConformanceReport report = run(backend, new Options(seed, mult, slow));
            out.print(report.table());
            return report.passed() ? 0 : 1;
        } catch (ArrayIndexOutOfBoundsException e) {
            err.println("conformance: " + args[args.length - 1] + " needs a value");
            return 2;
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("conformance: " + e.getMessage());
            return 2;
        }
    }
}
