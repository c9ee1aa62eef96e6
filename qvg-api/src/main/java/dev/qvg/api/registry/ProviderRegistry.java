package dev.qvg.api.registry;

import dev.qvg.api.spi.NamedProvider;
import dev.qvg.api.spi.ProviderNames;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Providers of one SPI type found through {@link ServiceLoader}, by name.
 *
 * <p>Lookup rules:
 * <ol>
 *   <li>Providers are loaded once, lazily, from the context class loader, then from the class
 *       loader of the SPI type itself when that is another one (as Lucene's NamedSPILoader does:
 *       an application server's context loader may not see the library's own jars).</li>
 *   <li>The first provider per name wins, so classpath order lets users override one of ours.</li>
 *   <li>{@link #reload(ClassLoader)} scans another loader and only adds names not yet present.</li>
 *   <li>{@link #get} fails with the kind, the asked name, the names present, the artifacts of
 *       qvg's own providers of the kind and the services file a plug-in lists its provider in,
 *       on one line; {@link #getAvailable} also fails, with the provider's reason, when it cannot
 *       run here.</li>
 *   <li>{@link #defaultProvider()} takes the system property {@code qvg.<kind>}, else the
 *       environment variable {@code QVG_<KIND>}, else the available provider of highest rank
 *       (ties by name).</li>
 * </ol>
 * The map is immutable and published through a volatile field: lookups take no lock.
 */
public final class ProviderRegistry<P extends NamedProvider> {

    private final Class<P> type;
    private final String kind;
    private final String jarHint;
    private volatile Map<String, P> providers;
    private final ThreadLocal<Boolean> loading = ThreadLocal.withInitial(() -> false);

    public ProviderRegistry(Class<P> type, String kind) {
        this(type, kind, null);
    }

    /**
     * @param jarHint where the jars of qvg's own providers of this kind are, by Maven coordinates
     *                ({@code "qvg's own: dev.qvg:qvg-smoothing; ..."}), put in the message of a
     *                missing provider; {@code null} for none
     */
    public ProviderRegistry(Class<P> type, String kind, String jarHint) {
        this.type = type;
        this.kind = kind;
        this.jarHint = jarHint;
    }

    public String kind() {
        return kind;
    }

    /** Where the jars of qvg's own providers of this kind are (Maven coordinates), or {@code null}. */
    public String jarHint() {
        return jarHint;
    }

    public Class<P> type() {
        return type;
    }

    private Map<String, P> map() {
        Map<String, P> m = providers;
        if (m == null) {
            synchronized (this) {
                m = providers;
                if (m == null) {
                    if (loading.get()) {
                        throw new IllegalStateException("a " + kind + " provider looked up the " + kind
                                + " registry while it was being loaded; providers must not use the registry in their constructors");
                    }
                    ClassLoader context = Thread.currentThread().getContextClassLoader();
                    ClassLoader own = type.getClassLoader();
                    m = scan(Map.of(), context != null ? context : own);
                    if (context != null && own != null && own != context) {
                        m = scan(m, own);
                    }
                    providers = m;
                }
            }
        }
        return m;
    }

    private Map<String, P> scan(Map<String, P> start, ClassLoader cl) {
        Map<String, P> m = new LinkedHashMap<>(start);
        loading.set(true);
        try {
            for (P p : ServiceLoader.load(type, cl)) {
                String name = ProviderNames.check(kind + " provider " + p.getClass().getName(), p.name());
                m.putIfAbsent(name, p);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("loading " + kind + " providers failed: " + e.getMessage(), e);
        } finally {
            loading.set(false);
        }
        return Map.copyOf(m);
    }

    /** Scans {@code loader} too (a plug-in directory, say); names already present are kept. */
    public synchronized void reload(ClassLoader loader) {
        providers = scan(map(), loader);
    }

    /** All providers, available or not, sorted by name. */
    public List<P> list() {
        List<P> l = new ArrayList<>(map().values());
        l.sort(Comparator.comparing(NamedProvider::name));
        return List.copyOf(l);
    }

    public boolean contains(String name) {
        return map().containsKey(name);
    }

    /** The provider named {@code name}, whether or not it can run here. */
    public P get(String name) {
        P p = map().get(name);
        if (p == null) {
            throw new ProviderNotFoundException("no " + kind + " provider named '" + name + "' (" + type.getName()
                    + "); on the classpath: " + (map().isEmpty() ? "none" : String.join(", ", map().keySet()))
                    + ". Add the jar that provides it" + (jarHint == null ? "" : " (" + jarHint + ")")
                    + ", or a plug-in jar with a META-INF/services/" + type.getName() + " entry.");
        }
        return p;
    }

    /** The provider named {@code name}, checked to be usable here. */
    public P getAvailable(String name) {
        P p = get(name);
        var a = p.availability();
        if (!a.available()) {
            throw new ProviderUnavailableException(kind + " '" + name + "' is on the classpath but cannot be used here: "
                    + a.reason());
        }
        return p;
    }

    /** The default per the lookup rules above. */
    public P defaultProvider() {
        String prop = System.getProperty("qvg." + kind);
        if (prop == null || prop.isBlank()) {
            prop = System.getenv("QVG_" + kind.toUpperCase(Locale.ROOT));
        }
        if (prop != null && !prop.isBlank()) {
            return getAvailable(prop.trim());
        }
        return map().values().stream()
                .filter(p -> p.availability().available())
                .max(Comparator.comparingInt(NamedProvider::rank).thenComparing(NamedProvider::name, Comparator.reverseOrder()))
                .orElseThrow(() -> new ProviderNotFoundException("no available " + kind + " provider; present: "
                        + (map().isEmpty() ? "none" : String.join(", ", map().keySet()))));
    }

    /** One line per provider: name, rank, availability and capabilities. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (P p : list()) {
            var a = p.availability();
            sb.append(String.format(Locale.ROOT, "  %-10s %-14s rank %3d  %s%s%s%n", kind, p.name(), p.rank(),
                    a.available() ? "available" : "UNAVAILABLE (" + a.reason() + ")",
                    p.capabilities().isEmpty() ? "" : "  [" + String.join(", ", new java.util.TreeSet<>(p.capabilities())) + "]",
                    p.description().isEmpty() ? "" : "  " + p.description()));
        }
        if (map().isEmpty()) {
            sb.append("  ").append(kind).append(": none on the classpath\n");
        }
        return sb.toString();
    }
}
