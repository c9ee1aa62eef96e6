package dev.qvg.bench.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The committed JMH result fixture (src/test/resources/jmh-fixture.json), whose figures are hand-checked. */
final class FixtureResults {

    static final String RESOURCE = "/jmh-fixture.json";

    private FixtureResults() {
    }

    static String text() {
        try (InputStream in = FixtureResults.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + RESOURCE + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<BenchResult> results() {
        return JmhJson.parse(text(), RESOURCE);
    }
}
