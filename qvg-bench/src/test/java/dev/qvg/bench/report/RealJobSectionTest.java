package dev.qvg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.bench.layer.LayerReport;
import org.junit.jupiter.api.Test;

class RealJobSectionTest {

    @Test
    void withoutAMeasurementTheRowsAreToBeMeasuredWithTheCommandThatMeasuresThem() {
        String md = RealJobSection.render(null);
        assertTrue(md.startsWith(RealJobSection.TITLE), md);
        assertTrue(md.contains("`QVG_LAYER_PUBLISH=1 qvg-bench/scripts/layer-bench.sh`"), md);
        assertTrue(md.contains("| one layer (486 MB) | FAISS + numpy | to be measured |"), md);
        assertTrue(md.contains("| 4 layers (1.94 GB) | `qvg compress` | to be measured |"), md);
        assertTrue(md.contains("| S = 29640 | to be measured |"), md);
        // 2 x 29640 x 256 x 128 = 1.94 GFLOP per distance product; x 5 x 64 = 622 GFLOP; x 6 x 64 = 746
        assertTrue(md.contains("1.94 GFLOP each") && md.contains("622 GFLOP") && md.contains("746 GFLOP"), md);
        assertTrue(md.contains("-p S=29640"), md);
    }

    @Test
    void aLayerReportsTablesAreEmbedded() {
        String layer = "# x\n\n- Date: 2026-12-06 12:00 UTC\n\n" + LayerReport.BEGIN + "\n| a | b |\n" + LayerReport.END
                + "\n\ntail\n";
        String md = RealJobSection.render(layer);
        assertTrue(md.contains(LayerReport.BEGIN + "\n| a | b |\n\n" + LayerReport.END), md);
        assertTrue(md.contains("measured 2026-12-06 12:00 UTC") && !md.contains("to be measured"), md);
        assertNull(RealJobSection.block("no markers"));
        assertNull(RealJobSection.splice("no markers here", layer), "nothing to replace");
        String once = RealJobSection.splice("top\n" + RealJobSection.render(null) + "bottom\n", layer);
        assertTrue(once.startsWith("top\n") && once.endsWith("bottom\n") && once.contains("| a | b |"), once);
        assertEquals(once, RealJobSection.splice(once, layer));
    }
}
