package dev.qvg.cli.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The rate-distortion plot of an evaluation: bits per value (x) against SNR in dB (y), one line
 * per (tensor, method) through its bit widths. A method keeps its colour across tensors; each
 * tensor has its own line style. Lossless points (infinite SNR) cannot be drawn and are left out.
 */
public final class RateDistortionPlot {

    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)
    };
    private static final org.knowm.xchart.style.markers.Marker[] MARKERS = {SeriesMarkers.CIRCLE,
        SeriesMarkers.DIAMOND, SeriesMarkers.SQUARE, SeriesMarkers.TRIANGLE_UP};
    private static final float[][] DASHES = {null, {8f, 5f}, {2f, 4f}, {10f, 4f, 2f, 4f}};

    private final XYChart chart;

    private RateDistortionPlot(XYChart chart) {
        this.chart = chart;
    }

    /** Builds the chart; at least one result must have a finite SNR. */
    public static RateDistortionPlot of(List<EvalResult> results, String title) {
        System.setProperty("java.awt.headless", "true");
        XYChart c = new XYChartBuilder().width(960).height(640).title(title).xAxisTitle("bits per value")
                .yAxisTitle("SNR (dB)").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        c.getStyler().setPlotGridLinesVisible(true);
        c.getStyler().setDecimalPattern("#0.0");

        Map<String, Integer> methodColour = new LinkedHashMap<>();
        Map<String, Integer> tensorStyle = new LinkedHashMap<>();
        Map<String, List<EvalResult>> series = new LinkedHashMap<>();
        Map<String, String> drawnAs = SameSeries.merged(results);
        for (EvalResult r : results) {
            if (!Double.isFinite(r.metrics().snrDb())) {
                continue;
            }
            String label = drawnAs.get(r.tensor() + "\u0000" + r.methodLabel());
            if (label == null) {
                continue; // drawn under an earlier series with the same points
            }
            methodColour.putIfAbsent(r.methodLabel(), methodColour.size());
            tensorStyle.putIfAbsent(r.tensor(), tensorStyle.size());
            series.computeIfAbsent(r.tensor() + ": " + label, k -> new ArrayList<>()).add(r);
        }
        if (series.isEmpty()) {
            throw new IllegalArgumentException("plot: no result with a finite SNR to draw");
        }
        for (Map.Entry<String, List<EvalResult>> e : series.entrySet()) {
            List<EvalResult> pts = new ArrayList<>(e.getValue());
            pts.sort(Comparator.comparingDouble(r -> r.budget().bitsPerValue()));
            double[] x = pts.stream().mapToDouble(r -> r.budget().bitsPerValue()).toArray();
            double[] y = pts.stream().mapToDouble(r -> r.metrics().snrDb()).toArray();
            XYSeries s = c.addSeries(e.getKey(), x, y);
            EvalResult first = pts.get(0);
            Color colour = PALETTE[methodColour.get(first.methodLabel()) % PALETTE.length];
            int style = tensorStyle.get(first.tensor()) % DASHES.length;
            s.setLineColor(colour);
            s.setMarkerColor(colour);
            s.setMarker(MARKERS[style % MARKERS.length]);
            s.setLineStyle(DASHES[style] == null
                    ? new BasicStroke(2f)
                    : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, DASHES[style], 0f));
        }
        return new RateDistortionPlot(c);
    }


    public XYChart chart() {
        return chart;
    }

    public byte[] png() throws IOException {
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    public byte[] svg() throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, bos, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return bos.toByteArray();
    }
}
