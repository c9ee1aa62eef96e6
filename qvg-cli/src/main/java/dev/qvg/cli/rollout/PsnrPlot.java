package dev.qvg.cli.rollout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
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
 * PSNR of each quantized rollout against the BF16 rollout, per chunk: how error accumulates over
 * a long video. Chunks with infinite PSNR (identical frames, e.g. the given first chunk) are left
 * out of their line.
 */
public final class PsnrPlot {

    private final XYChart chart;

    private PsnrPlot(XYChart chart) {
        this.chart = chart;
    }

    /** @param curves label to PSNR per chunk, in legend order */
    public static PsnrPlot of(Map<String, double[]> curves, String title) {
        System.setProperty("java.awt.headless", "true");
        XYChart c = new XYChartBuilder().width(960).height(560).title(title).xAxisTitle("chunk")
                .yAxisTitle("PSNR vs BF16 rollout (dB)").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        c.getStyler().setXAxisDecimalPattern("#0");
        c.getStyler().setYAxisDecimalPattern("#0.0");
        int drawn = 0;
        for (Map.Entry<String, double[]> e : curves.entrySet()) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            double[] p = e.getValue();
            for (int i = 0; i < p.length; i++) {
                if (Double.isFinite(p[i])) {
                    x.add((double) i);
                    y.add(p[i]);
                }
            }
            if (!x.isEmpty()) {
                c.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
                drawn++;
            }
        }
        if (drawn == 0) {
            throw new IllegalArgumentException("plot: every chunk of every rollout is identical to the reference");
        }
        return new PsnrPlot(c);
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
