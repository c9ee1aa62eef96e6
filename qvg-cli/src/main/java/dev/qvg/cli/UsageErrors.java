package dev.qvg.cli;

import dev.qvg.cli.util.FirstLine;
import dev.qvg.cli.util.ExitCodes;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What {@code qvg} prints for a usage error (exit code 2): one line naming the command and the
 * problem, with "did you mean" for a mistyped command or option, and where to look:
 *
 * <pre>
 * qvg: unknown command 'evl'; did you mean 'eval'? (see 'qvg --help')
 * qvg compress: Unknown option: '--ouptut'; did you mean '--output'? (see 'qvg compress --help')
 * </pre>
 *
 * An unknown option is the error shown even where a required option is missing too (picocli
 * checks those first: {@code --ouptut x} would otherwise be reported as {@code --output} missing).
 * Suggestions are the commands or options (of the command where the error is) within a small
 * edit distance of what was typed (transpositions count once, case is ignored), or that start
 * with it or it with them; at most three, closest first. picocli prints its own suggestions on extra lines from
 * its default handler, which qvg replaces to keep every failure on one line; this puts them back.
 */
public final class UsageErrors {

    private static final int MAX_SUGGESTIONS = 3;

    private UsageErrors() {
    }

    /** Prints the line for {@code ex} on its command's stderr (the stack trace too when {@code verbose}); returns 2. */
    public static int report(ParameterException ex, boolean verbose) {
        CommandLine c = ex.getCommandLine();
        PrintWriter err = c.getErr();
        err.println(line(ex));
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    /** The one line for {@code ex}. */
    public static String line(ParameterException ex) {
        CommandLine c = ex.getCommandLine();
        String name = c.getCommandSpec().qualifiedName();
        String problem = FirstLine.of(ex.getMessage());
        List<String> suggestions = List.of();
        // picocli reports a missing required option before an unknown one: "--ouptut x" would say
        // "--output is missing"; the mistyped option is the error to show
        List<String> unmatched = ex instanceof UnmatchedArgumentException u ? u.getUnmatched() : c.getUnmatchedArguments();
        if (!unmatched.isEmpty()) {
            String typed = unmatched.get(0);
            if (typed.startsWith("-")) {
                if (!(ex instanceof UnmatchedArgumentException)) {
                    problem = "Unknown option: '" + typed + "'";
                }
                suggestions = suggest(typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed, options(c));
            } else if (ex instanceof UnmatchedArgumentException && !c.getSubcommands().isEmpty()
                    && c.getCommandSpec().positionalParameters().isEmpty()) {
                // a word where only a command can be
                problem = "unknown command '" + typed + "'";
                suggestions = suggest(typed, new ArrayList<>(c.getSubcommands().keySet()));
            }
        }
        StringBuilder b = new StringBuilder(name).append(": ").append(problem);
        if (!suggestions.isEmpty()) {
            b.append("; did you mean ");
            for (int i = 0; i < suggestions.size(); i++) {
                b.append(i == 0 ? "" : i == suggestions.size() - 1 ? " or " : ", ").append('\'').append(suggestions.get(i))
                        .append('\'');
            }
            b.append('?');
        }
        return b.append(" (see '").append(name).append(" --help')").toString();
    }

    /** Every visible option name of {@code c}'s command. */
    private static List<String> options(CommandLine c) {
        List<String> names = new ArrayList<>();
        for (OptionSpec o : c.getCommandSpec().options()) {
            if (!o.hidden()) {
                names.addAll(List.of(o.names()));
            }
        }
        return names;
    }

    /** The candidates close to {@code typed}, closest first, at most three. */
    static List<String> suggest(String typed, List<String> candidates) {
        String t = bare(typed);
        if (t.isEmpty()) {
            return List.of();
        }
        int limit = Math.max(1, Math.min(3, t.length() / 3));
        record Scored(String name, int distance) {
        }
        List<Scored> close = new ArrayList<>();
        for (String c : new LinkedHashSet<>(candidates)) {
            String b = bare(c);
            if (b.length() < 2 && t.length() > 1) {
                continue; // "-m" is no suggestion for "--mthod"
            }
            int d = distance(t, b);
            // or one is the start of the other: "--outp" for "--output", "--output" for "--out"
            boolean prefix = (t.length() >= 2 && b.startsWith(t)) || (b.length() >= 3 && t.startsWith(b));
            if (d <= limit || prefix) {
                close.add(new Scored(c, prefix ? Math.min(d, 1) : d));
            }
        }
        close.sort(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name));
        Set<String> out = new LinkedHashSet<>();
        for (Scored s : close) {
            if (out.size() == MAX_SUGGESTIONS) {
                break;
            }
            out.add(s.name());
        }
        return List.copyOf(out);
    }

    private static String bare(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '-') {
            i++;
        }
        return s.substring(i).toLowerCase(Locale.ROOT);
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions, adjacent transpositions. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
