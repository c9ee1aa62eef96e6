package dev.qvg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * "Did you mean" for mistyped commands and options: exit code 2 and one line on stderr that
 * names the problem, the suggestion and where help is ({@link UsageErrors}, installed by
 * {@link QvgCli}).
 */
class UsageErrorsTest {

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    private static void assertOneLine(CliRun r, String expected) {
        assertEquals(2, r.exit(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertEquals(expected, r.err().strip(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
    }

    @Test
    void mistypedCommandsGetTheClosestCommand() {
        assertOneLine(run("evl"), "qvg: unknown command 'evl'; did you mean 'eval'? (see 'qvg --help')");
        assertOneLine(run("compres", "--input", "x"), "qvg: unknown command 'compres'; did you mean 'compress'? (see 'qvg --help')");
        assertOneLine(run("inpsect"), "qvg: unknown command 'inpsect'; did you mean 'inspect'? (see 'qvg --help')");
        assertOneLine(run("decomp"), "qvg: unknown command 'decomp'; did you mean 'decompress'? (see 'qvg --help')");
        assertOneLine(run("frobnicate"), "qvg: unknown command 'frobnicate' (see 'qvg --help')");
    }

    @Test
    void mistypedOptionsGetTheClosestOptionsOfThatCommand() {
        assertOneLine(run("decompress", "--ouptut", "x.safetensors", "-i", "q"),
                "qvg decompress: Unknown option: '--ouptut'; did you mean '--output'? (see 'qvg decompress --help')");
        assertOneLine(run("decompress", "--dtyp=bf16", "-i", "q", "--output", "o"),
                "qvg decompress: Unknown option: '--dtyp=bf16'; did you mean '--dtype'? (see 'qvg decompress --help')");
        assertOneLine(run("inspect", "--fromat", "json"),
                "qvg inspect: Unknown option: '--fromat'; did you mean '--format'? (see 'qvg inspect --help')");
        assertOneLine(run("inspect", "--zzzzzz", "f"), "qvg inspect: Unknown option: '--zzzzzz' (see 'qvg inspect --help')");
        // an option of the root command, inherited by every command
        assertOneLine(run("eval", "--outdir", "results"),
                "qvg eval: Unknown options: '--outdir', 'results'; did you mean '--out'? (see 'qvg eval --help')");
        assertOneLine(run("backends", "--verbos"),
                "qvg backends: Unknown option: '--verbos'; did you mean '--verbose'? (see 'qvg backends --help')");
    }

    @Test
    void otherUsageErrorsKeepTheirOneLine() {
        assertOneLine(run("decompress", "--output", "o"),
                "qvg decompress: Missing required option: '--input=FILE' (see 'qvg decompress --help')");
        CliRun extra = run("inspect", "a", "b");
        assertEquals(2, extra.exit(), extra.toString());
        assertEquals(1, extra.err().lines().count(), extra.toString());
        assertTrue(extra.err().startsWith("qvg inspect: Unmatched argument at index 2: 'b' (see"), extra.toString());
    }

    @Test
    void suggestionsAreCloseOrPrefixesClosestFirstAtMostThree() {
        assertEquals(List.of("--iters"), UsageErrors.suggest("--itres", List.of("--iters", "--init", "--tol", "-i")));
        assertEquals(List.of("--bits"), UsageErrors.suggest("--bit", List.of("--block", "--bits", "--seed")));
        assertEquals(List.of("--output"), UsageErrors.suggest("--outp", List.of("--output", "--force", "-o")));
        assertEquals(List.of("--out"), UsageErrors.suggest("--output", List.of("--out", "--force", "-o")));
        assertEquals(List.of(), UsageErrors.suggest("--x", List.of("--output", "--force")));
        assertEquals(List.of("a1", "a2", "a3"), UsageErrors.suggest("aa", List.of("a4", "a3", "a2", "a1")));
        assertEquals(1, UsageErrors.distance("ouptut", "output"), "a transposition is one edit");
        assertEquals(3, UsageErrors.distance("kitten", "sitting"));
    }
}
