package dev.qvg.bench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's plots (XChart PNGs): time per token against S for every kernel, and each kernel's
 * fraction of its limit against S with the 30% line, both for the most threads measured.
 */
public final class ScalingPlot {

    public static final String TIME_PNG = "performance-scaling.png";
    public static final String FRACTION_PNG = "performance-fraction.png";

    private ScalingPlot() {
    }

    /** Writes both plots into {@code dir} and returns their file names (only those drawn). */
    public static List<String> write(Analysis a, Path dir) {
        System.setProperty("java.awt.headless", "true");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + dir + ": " + e.getMessage(), e);
        }
        Map<String, List<Figure>> series = seriesAtMostThreads(a);
        List<String> written = new ArrayList<>();
        if (series.isEmpty()) {
            return written;
        }
        XYChart time = chart("Time per token vs span length S (most threads measured)", "ns per token");
        XYChart frac = chart("Fraction of the machine limit vs S (most threads measured)", "fraction of limit (%)");
        time.getStyler().setYAxisLogarithmic(true);
        frac.getStyler().setYAxisMin(0.0);
        double minS = Double.MAX_VALUE, maxS = 0;
        for (Map.Entry<String, List<Figure>> e : series.entrySet()) {
            List<Figure> fs = e.getValue();
            double[] x = fs.stream().mapToDouble(Figure::s).toArray();
            double[] perToken = fs.stream().mapToDouble(f -> f.seconds() / f.s() * 1e9).toArray();
            time.addSeries(e.getKey(), x, perToken).setMarker(SeriesMarkers.CIRCLE);
            if (fs.stream().allMatch(f -> Double.isFinite(f.fraction()))) {
                double[] pct = fs.stream().mapToDouble(f -> f.fraction() * 100).toArray();
                frac.addSeries(e.getKey(), x, pct).setMarker(SeriesMarkers.CIRCLE);
            }
            for (double s : x) {
                minS = Math.min(minS, s);
                maxS = Math.max(maxS, s);
            }
        }
        save(time, dir.resolve(TIME_PNG));
        written.add(TIME_PNG);
        if (!frac.getSeriesMap().isEmpty()) {
            frac.addSeries("30% flag line", new double[] {minS, maxS},
                    new double[] {Figure.FLAG_BELOW * 100, Figure.FLAG_BELOW * 100}).setMarker(SeriesMarkers.NONE);
            save(frac, dir.resolve(FRACTION_PNG));
            written.add(FRACTION_PNG);
        }
        return written;
    }

    /** Per kernel (and backend), the rows at the highest thread count measured, by S. */
    static Map<String, List<Figure>> seriesAtMostThreads(Analysis a) {
        Map<String, List<Figure>> out = new LinkedHashMap<>();
        Map<String, Integer> most = new LinkedHashMap<>();
        for (Figure f : a.figures()) {
            if (f.s() > 0) {
                most.merge(label(f), f.threads(), Math::max);
            }
        }
        for (Figure f : a.figures()) {
            if (f.s() > 0 && f.threads() == most.get(label(f))) {
                out.computeIfAbsent(label(f) + " (" + f.threads() + "t)", k -> new ArrayList<>()).add(f);
            }
        }
        out.values().removeIf(l -> l.size() < 2);
        return out;
    }

    private static String label(Figure f) {
        String other = f.otherParams().replaceAll("backend=\\S+", "").trim();
        return f.spec().title() + (other.isEmpty() ? "" : " " + other) + (f.backend().equals("-") ? "" : " [" + f.backend() + "]");
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(1100).height(700).title(title).xAxisTitle("S (tokens per slice)")
                .yAxisTitle(yTitle).build();
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        return c;
    }

    private static void save(XYChart c, Path file) {
        try {
            BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("writing plot " + file + ": " + e.getMessage(), e);
        }
    }
}
