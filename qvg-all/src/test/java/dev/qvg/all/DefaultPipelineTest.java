package dev.qvg.all;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.QuantizerConfig;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** qvg-all is the default pipeline in one dependency; without one of its parts, one line names the jar. */
class DefaultPipelineTest {

    @Test
    void qvgAllAloneGivesEveryDefaultPart() {
        QuantizerConfig c = QuantizerConfig.builder().build();
        assertEquals(List.of("prq", "cpu", "kmeans", "sas", "prq"),
                List.of(c.method(), c.backend(), c.clusterer(), c.smoother(), c.residual()));
        assertEquals(1, c.stages(), "the published default is one stage");
    }

    @Test
    void withoutQvgSmoothingEveryAttemptFailsWithOneLineNamingIt() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        boolean dropped = false;
        for (String entry : cp.split(File.pathSeparator)) {
            if (entry.contains("qvg-smoothing")) {
                dropped = true;
            } else if (!entry.isEmpty()) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        assertTrue(dropped, "qvg-smoothing on the test class path: " + cp);
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        try (URLClassLoader without = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            t.setContextClassLoader(without);
            String[] said = (String[]) without.loadClass(MissingPartProbe.class.getName()).getMethod("run").invoke(null);
            assertTrue(said[0].startsWith("dev.qvg.api.registry.ProviderNotFoundException: no clusterer named in the config"
                    + " and no available clusterer provider"), said[0]);
            assertTrue(said[0].contains("Add the jar that provides one (qvg's own: dev.qvg:qvg-smoothing;"
                    + " the whole default pipeline: dev.qvg:qvg-all)"), said[0]);
            assertTrue(said[1].startsWith("dev.qvg.api.registry.ProviderNotFoundException: no clusterer provider named"
                    + " 'kmeans'"), said[1]);
            assertTrue(said[1].contains("(qvg's own: dev.qvg:qvg-smoothing; the whole default pipeline: dev.qvg:qvg-all)"),
                    said[1]);
            for (String s : said) {
                assertEquals(1, s.lines().count(), s);
                assertFalse(s.contains("com.google.inject"), "not Guice's report: " + s);
            }
        } finally {
            t.setContextClassLoader(saved);
        }
    }
}
