package dev.qvg.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The sweep's summary table ({@code summary.txt}, also printed) and plots ({@code plots/}):
 * <ul>
 *   <li>{@code heatmaps/<role>-<label>-int<bits>.png}: SNR by layer (rows) and head (columns), over
 *       every prompt (the squared errors and references of the rows summed, then 10 log10 of their
 *       ratio), one per tensor role and configuration;</li>
 *   <li>{@code rd-by-layer-<role>-<label>.png}: rate-distortion by layer, bits per value against SNR
 *       through the bit widths, one line per layer;</li>
 *   <li>{@code bits-vs-snr.png} and {@code .svg}: bits per value against SNR of every tensor of the
 *       corpus under every configuration, one colour per configuration.</li>
 * </ul>
 * A tensor with no layer number is shown by its file in place of a layer. Lossless rows (infinite
 * SNR) are left out of the plots.
 */
final class Report {

    static final String SUMMARY = "summary.txt";
    static final String PLOTS = "plots";

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)};
    /** Dark to bright (viridis), for heatmaps and the layer gradient. */
    private static final Color[] RAMP = {new Color(0x440154), new Color(0x3b528b), new Color(0x21918c),
        new Color(0x5ec962), new Color(0xfde725)};
    private static final int MAX_SCATTER_POINTS = 20_000;

    private Report() {
    }

    /** One group of rows: its sums. */
    private record Agg(double err2, double ref2, double bitsTimesValues, double values) {
        double snr() {
            return err2 == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(ref2 / err2);
        }

        double relL2() {
            return ref2 == 0 ? (err2 == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(err2 / ref2);
        }

        double bitsPerValue() {
            return bitsTimesValues / values;
        }

        Agg plus(Agg o) {
            return new Agg(err2 + o.err2, ref2 + o.ref2, bitsTimesValues + o.bitsTimesValues, values + o.values);
        }
    }

    /** (role, label, bits), in the order configurations first appear. */
    private record Config(String role, String label, int bits) {
        String name() {
            return role + " " + label + " int" + bits;
        }

        String fileName() {
            return (role + "-" + label + "-int" + bits).replaceAll("[^A-Za-z0-9._-]+", "_");
        }
    }

    /** A heatmap or layer row: a layer, or a file where the layer is unknown. */
    private record Place(Integer layer, String file) implements Comparable<Place> {
        String name() {
            return layer != null ? Integer.toString(layer) : file;
        }

        @Override
        public int compareTo(Place o) {
            if (layer != null && o.layer != null) {
                return Integer.compare(layer, o.layer);
            }
            if (layer != null || o.layer != null) {
                return layer != null ? -1 : 1;
            }
            return file.compareTo(o.file);
        }
    }

    /** Writes the summary and the plots; returns the summary's lines. */
    static List<String> write(SparkSession spark, Path out, List<ObjectNode> tensorRows, boolean plots) throws IOException {
        Map<Config, Agg> byConfig = new LinkedHashMap<>();
        Map<Config, List<ObjectNode>> rowsByConfig = new LinkedHashMap<>();
        for (ObjectNode r : tensorRows) {
            Config c = config(r);
            Agg a = new Agg(Json.getDouble(r, "sum_sq_err"), Json.getDouble(r, "sum_sq_ref"),
                    r.get("bits_per_value").asDouble() * r.get("bit_budget").get("values").asDouble(),
                    r.get("bit_budget").get("values").asDouble());
            byConfig.merge(c, a, Agg::plus);
            rowsByConfig.computeIfAbsent(c, k -> new ArrayList<>()).add(r);
        }
        List<Config> order = new ArrayList<>(byConfig.keySet());
        order.sort(Comparator.comparing(c -> c.role().equals("k") ? 0 : 1)); // stable: keys, then values

        Map<Config, Map<Place, Map<Integer, Agg>>> byHead = new LinkedHashMap<>();
        Map<Config, Map<Place, Agg>> byLayer = new LinkedHashMap<>();
        Path headsParquet = out.resolve(Outputs.HEADS_PARQUET);
        if (!tensorRows.isEmpty() && Files.exists(headsParquet)) {
            Dataset<Row> heads = spark.read().parquet(headsParquet.toUri().toString());
            List<Row> agg = heads.withColumn("place_file", expr("CASE WHEN layer IS NULL THEN file END"))
                    .groupBy(col("role"), col("label"), col("bits"), col("layer"), col("place_file"), col("head"))
                    .agg(sum("sum_sq_err").as("e"), sum("sum_sq_ref").as("r"),
                            sum(expr("bits_per_value * bit_budget.values")).as("bv"), sum("bit_budget.values").as("v"))
                    .collectAsList();
            for (Row r : agg) {
                Config c = new Config(r.getString(0), r.getString(1), r.getInt(2));
                Place p = new Place(r.isNullAt(3) ? null : r.getInt(3), r.isNullAt(4) ? null : r.getString(4));
                Agg a = new Agg(r.getDouble(6), r.getDouble(7), r.getDouble(8), ((Number) r.get(9)).doubleValue());
                byHead.computeIfAbsent(c, k -> new TreeMap<>()).computeIfAbsent(p, k -> new TreeMap<>()).put(r.getInt(5), a);
                byLayer.computeIfAbsent(c, k -> new TreeMap<>()).merge(p, a, Agg::plus);
            }
        }

        List<String> lines = summary(order, byConfig, rowsByConfig, byLayer);
        Outputs.writeLines(out.resolve(SUMMARY), lines);
        if (plots) {
            Path dir = out.resolve(PLOTS);
            Outputs.deleteTree(dir);
            Files.createDirectories(dir.resolve("heatmaps"));
            for (Config c : order) {
                if (byHead.containsKey(c)) {
                    heatmap(c, byHead.get(c), dir.resolve("heatmaps").resolve(c.fileName() + ".png"));
                }
            }
            rdByLayer(order, byLayer, dir);
            scatter(order, rowsByConfig, dir);
        }
        return lines;
    }

    private static Config config(JsonNode r) {
        return new Config(r.get("role").asText(), r.get("label").asText(), r.get("bits").asInt());
    }

    private static List<String> summary(List<Config> order, Map<Config, Agg> byConfig,
                                        Map<Config, List<ObjectNode>> rows, Map<Config, Map<Place, Agg>> byLayer) {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "%-4s %-10s %4s %7s %10s %8s %7s  %-28s %s", "role", "method", "bits", "tensors",
                "bits/value", "rel L2", "SNR dB", "worst layer (SNR dB)", "worst tensor (SNR dB)"));
        for (Config c : order) {
            Agg a = byConfig.get(c);
            String worstLayer = "";
            Map<Place, Agg> layers = byLayer.get(c);
            if (layers != null && !layers.isEmpty()) {
                Map.Entry<Place, Agg> w = layers.entrySet().stream().min(Comparator.comparingDouble(e -> e.getValue().snr()))
                        .orElseThrow();
                worstLayer = String.format(Locale.ROOT, "%s (%.2f)", w.getKey().name(), w.getValue().snr());
            }
            ObjectNode wt = rows.get(c).stream().min(Comparator.comparingDouble(r -> Json.getDouble(r, "snr_db")))
                    .orElseThrow();
            out.add(String.format(Locale.ROOT, "%-4s %-10s %4d %7d %10.4f %8.4f %7.2f  %-28s %s#%s (%.2f)", c.role(),
                    c.label(), c.bits(), rows.get(c).size(), a.bitsPerValue(), a.relL2(), a.snr(), worstLayer,
                    wt.get("file").asText(), wt.get("tensor").asText(), Json.getDouble(wt, "snr_db")));
        }
        // the takeaway, as eval's: how much smaller each method's error is than the first method's (the
        // baseline; RTN in the default comparison) at the same bits, corpus-wide
        String baseline = order.isEmpty() ? null : order.get(0).label();
        for (Config base : order) {
            if (!base.label().equals(baseline)) {
                continue;
            }
            StringBuilder sb = new StringBuilder();
            for (Config c : order) {
                if (c.role().equals(base.role()) && c.bits() == base.bits() && !c.equals(base)) {
                    sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1fx", c.label(),
                            byConfig.get(base).err2() / byConfig.get(c).err2()));
                }
            }
            if (sb.length() > 0) {
                out.add(String.format(Locale.ROOT, "%s int%d, whole corpus: squared error of %s / of: %s", base.role(),
                        base.bits(), baseline, sb));
            }
        }
        return out;
    }

    private static void heatmap(Config c, Map<Place, Map<Integer, Agg>> cells, Path png) throws IOException {
        List<Place> places = new ArrayList<>(cells.keySet());
        int heads = cells.values().stream().mapToInt(m -> m.keySet().stream().mapToInt(Integer::intValue).max().orElse(0))
                .max().orElse(0) + 1;
        List<String> x = new ArrayList<>();
        for (int h = 0; h < heads; h++) {
            x.add(Integer.toString(h));
        }
        List<String> y = places.stream().map(Place::name).toList();
        List<Number[]> data = new ArrayList<>();
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < places.size(); i++) {
            for (Map.Entry<Integer, Agg> e : cells.get(places.get(i)).entrySet()) {
                double snr = e.getValue().snr();
                if (Double.isFinite(snr)) {
                    data.add(new Number[] {e.getKey(), i, Math.round(snr * 100) / 100.0});
                    min = Math.min(min, snr);
                    max = Math.max(max, snr);
                }
            }
        }
        if (data.isEmpty()) {
            return;
        }
        int w = Math.max(640, Math.min(2400, 140 + heads * 36)), h = Math.max(400, Math.min(2400, 140 + places.size() * 24));
        HeatMapChart chart = new HeatMapChartBuilder().width(w).height(h)
                .title(c.name() + ": SNR dB by layer and head (all prompts)").xAxisTitle("head")
                .yAxisTitle(places.get(0).layer() != null ? "layer" : "file").build();
        chart.getStyler().setRangeColors(RAMP);
        chart.getStyler().setMin(Math.floor(min));
        chart.getStyler().setMax(Math.ceil(max) == Math.floor(min) ? Math.floor(min) + 1 : Math.ceil(max));
        chart.getStyler().setShowValue(heads * places.size() <= 256);
        chart.getStyler().setHeatMapValueDecimalPattern("0.0");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.addSeries("SNR dB", x, y, data);
        save(chart, png, false);
    }

    private static void rdByLayer(List<Config> order, Map<Config, Map<Place, Agg>> byLayer, Path dir) throws IOException {
        Map<String, List<Config>> byRoleLabel = new LinkedHashMap<>();
        for (Config c : order) {
            byRoleLabel.computeIfAbsent(c.role() + "\u0000" + c.label(), k -> new ArrayList<>()).add(c);
        }
        for (List<Config> configs : byRoleLabel.values()) {
            Config first = configs.get(0);
            Map<Place, List<double[]>> lines = new TreeMap<>();
            for (Config c : configs) {
                Map<Place, Agg> layers = byLayer.getOrDefault(c, Map.of());
                layers.forEach((p, a) -> {
                    if (Double.isFinite(a.snr())) {
                        lines.computeIfAbsent(p, k -> new ArrayList<>()).add(new double[] {a.bitsPerValue(), a.snr()});
                    }
                });
            }
            if (lines.isEmpty()) {
                continue;
            }
            XYChart chart = new XYChartBuilder().width(960).height(640)
                    .title(first.role() + " " + first.label() + ": rate-distortion by layer (all prompts and heads)")
                    .xAxisTitle("bits per value").yAxisTitle("SNR (dB)").build();
            style(chart);
            int n = lines.size(), i = 0, every = Math.max(1, (n + 11) / 12);
            for (Map.Entry<Place, List<double[]>> e : lines.entrySet()) {
                List<double[]> pts = e.getValue();
                pts.sort(Comparator.comparingDouble(p -> p[0]));
                XYSeries s = chart.addSeries("layer " + e.getKey().name(), pts.stream().map(p -> p[0]).toList(),
                        pts.stream().map(p -> p[1]).toList());
                s.setLineColor(ramp(n == 1 ? 0 : (double) i / (n - 1)));
                s.setMarkerColor(ramp(n == 1 ? 0 : (double) i / (n - 1)));
                s.setMarker(SeriesMarkers.CIRCLE);
                boolean legend = i % every == 0 || i == n - 1;
                s.setShowInLegend(legend);
                i++;
            }
            save(chart, dir.resolve(("rd-by-layer-" + first.role() + "-" + first.label()).replaceAll("[^A-Za-z0-9._-]+", "_")
                    + ".png"), false);
        }
    }

    private static void scatter(List<Config> order, Map<Config, List<ObjectNode>> rows, Path dir) throws IOException {
        long total = rows.values().stream().mapToLong(List::size).sum();
        long step = Math.max(1, (total + MAX_SCATTER_POINTS - 1) / MAX_SCATTER_POINTS);
        XYChart chart = new XYChartBuilder().width(960).height(640)
                .title("Bits per value against SNR, every tensor of the corpus" + (step > 1 ? " (every " + step + "th)" : ""))
                .xAxisTitle("bits per value").yAxisTitle("SNR (dB)").build();
        style(chart);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        Map<String, Integer> colours = new LinkedHashMap<>();
        boolean any = false;
        long k = 0;
        for (Config c : order) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (ObjectNode r : rows.get(c)) {
                double snr = Json.getDouble(r, "snr_db");
                if (k++ % step == 0 && Double.isFinite(snr)) {
                    xs.add(r.get("bits_per_value").asDouble());
                    ys.add(snr);
                }
            }
            if (xs.isEmpty()) {
                continue;
            }
            any = true;
            XYSeries s = chart.addSeries(c.name(), xs, ys);
            int colour = colours.computeIfAbsent(c.label() + " int" + c.bits(), l -> colours.size());
            s.setMarkerColor(PALETTE[colour % PALETTE.length]);
            s.setMarker(c.role().equals("k") ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
        }
        if (any) {
            save(chart, dir.resolve("bits-vs-snr.png"), true);
        }
    }

    private static void style(XYChart c) {
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setPlotGridLinesVisible(true);
        c.getStyler().setDecimalPattern("#0.0");
    }

    private static Color ramp(double t) {
        double p = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
        int i = Math.min(RAMP.length - 2, (int) p);
        double f = p - i;
        Color a = RAMP[i], b = RAMP[i + 1];
        return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
                (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }

    private static void save(Chart<?, ?> chart, Path png, boolean svg) throws IOException {
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        if (svg) {
            String name = png.getFileName().toString();
            VectorGraphicsEncoder.saveVectorGraphic(chart, png.resolveSibling(name.substring(0, name.length() - 4)).toString(),
                    VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        }
    }
}
