package dev.qvg.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.api.config.BlockQuantConfig;
import dev.qvg.api.config.ScalePrecision;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every launch {@link DeviceKernels} makes, checked without a GPU against the committed PTX:
 * argument count and widths, block size, grid limits (including the split of more than 65535
 * slices), that the grid covers the work, and that every pointer offset stays inside its buffer.
 */
class DeviceKernelsLaunchTest {

    private static final Map<String, KernelSignature> SIGNATURES = new HashMap<>();

    static {
        for (String module : Ptx.ENTRIES.keySet()) {
            byte[] z = Ptx.load(module);
            SIGNATURES.putAll(KernelSignature.parse(new String(z, 0, z.length - 1, StandardCharsets.US_ASCII)));
        }
    }

    /** A device region that only knows its size: offsets beyond it fail the test. */
    private static final class FakeMemory implements DeviceMemory {
        final String name;
        final long bytes;

        FakeMemory(String name, long bytes) {
            this.name = name;
            this.bytes = bytes;
        }

        @Override
        public CUdeviceptr ptr() {
            return new CUdeviceptr();
        }

        @Override
        public CUdeviceptr at(long byteOffset) {
            if (byteOffset < 0 || byteOffset >= Math.max(bytes, 1)) {
                throw new AssertionError(name + ": offset " + byteOffset + " outside its " + bytes + " bytes");
            }
            return new CUdeviceptr().withByteOffset(byteOffset);
        }
    }

    private record Launch(String kernel, int[] grid, int block, Object[] args) {
        long threads() {
            long t = block;
            for (int g : grid) {
                t *= g;
            }
            return t;
        }
    }

    private final List<Launch> launches = new ArrayList<>();
    private final DeviceKernels kernels = new DeviceKernels((kernel, grid, block, stream, args) -> {
        KernelSignature sig = SIGNATURES.get(kernel);
        if (sig == null) {
            throw new AssertionError("no PTX entry " + kernel);
        }
        sig.check(grid, block, args);
        launches.add(new Launch(kernel, grid.clone(), block, args.clone()));
    });

    @BeforeEach
    void clear() {
        launches.clear();
    }

    private static FakeMemory mem(String name, long bytes) {
        return new FakeMemory(name, bytes);
    }

    @Test
    void signaturesAreParsedFromThePtx() {
        KernelSignature assign = SIGNATURES.get(Ptx.ASSIGN);
        assertEquals(List.of(8, 8, 8, 8, 4, 4, 4, 8, 8, 8), assign.paramBytes());
        assertEquals(256, assign.threads());
        assertEquals(256, SIGNATURES.get(Ptx.CLUSTER_SORT).threads());
        assertEquals(128, SIGNATURES.get(Ptx.CLUSTER_MEANS).threads());
        for (List<String> entries : Ptx.ENTRIES.values()) {
            for (String e : entries) {
                assertTrue(SIGNATURES.containsKey(e), e);
            }
        }
    }

    @Test
    void theCheckRejectsWrongWidthsCountsBlocksAndGrids() {
        KernelSignature sqnorm = SIGNATURES.get(Ptx.ROW_SQNORM);
        CUdeviceptr p = new CUdeviceptr();
        sqnorm.check(new int[] {4}, 256, p, 10L, 3, p);
        assertThrows(IllegalArgumentException.class, () -> sqnorm.check(new int[] {4}, 256, p, 10, 3, p));
        assertThrows(IllegalArgumentException.class, () -> sqnorm.check(new int[] {4}, 256, p, 10L, 3));
        assertThrows(IllegalArgumentException.class, () -> sqnorm.check(new int[] {4}, 128, p, 10L, 3, p));
        assertThrows(IllegalArgumentException.class, () -> sqnorm.check(new int[] {4, 70000}, 256, p, 10L, 3, p));
        assertThrows(IllegalArgumentException.class, () -> sqnorm.check(new int[] {0}, 256, p, 10L, 3, p));
    }

    @Test
    void assignSplitsMoreThan65535SlicesAndCoversEveryRowTile() {
        int slices = 70000, S = 130, D = 3, K = 5;
        kernels.assign(slices, S, D, K, mem("points", 4L * slices * S * D), mem("centroids", 4L * slices * K * D),
                mem("pointNorms", 4L * slices * S), mem("centNorms", 4L * slices * K), mem("active", 4L * slices),
                mem("ids", 4L * slices * S), mem("changed", 4L * slices), 0);
        assertEquals(List.of(Ptx.ROW_SQNORM, Ptx.ROW_SQNORM, Ptx.ASSIGN, Ptx.ASSIGN),
                launches.stream().map(Launch::kernel).toList());
        assertTrue(launches.get(0).threads() >= (long) slices * S, "row norms cover every row");
        assertTrue(launches.get(1).threads() >= (long) slices * K, "centroid norms cover every centroid");
        assertArrayEquals(new int[] {3, 65535}, launches.get(2).grid(), "ceil(130 / 64) row tiles");
        assertArrayEquals(new int[] {3, 70000 - 65535}, launches.get(3).grid());
        CUdeviceptr ids2 = (CUdeviceptr) launches.get(3).args()[8];
        assertTrue(ids2.toString().contains("byteOffset=" + 4L * 65535 * S), ids2.toString());
    }

    @Test
    void updateAndApplyCoverEveryClusterDimensionAndElement() {
        int slices = 3, S = 50, D = 300, K = 7;
        kernels.updateCentroids(slices, S, D, K, mem("points", 4L * slices * S * D), mem("ids", 4L * slices * S),
                mem("active", 4L * slices), mem("centroids", 4L * slices * K * D), mem("offsets", 4L * slices * K),
                mem("ends", 4L * slices * K), mem("order", 4L * slices * S), 0);
        assertEquals(List.of(Ptx.CLUSTER_SORT, Ptx.CLUSTER_MEANS), launches.stream().map(Launch::kernel).toList());
        assertArrayEquals(new int[] {slices}, launches.get(0).grid(), "one sorting block per slice");
        assertArrayEquals(new int[] {K, slices, 3}, launches.get(1).grid(), "128 dimensions a block: ceil(300 / 128)");
        kernels.applyCentroids((long) slices * S, S, D, K, mem("rows", 4L * slices * S * D), mem("ids", 4L * slices * S),
                mem("centroids", 4L * slices * K * D), -1, 0);
        assertTrue(launches.get(2).threads() >= (long) slices * S * D);
    }

    @Test
    void meansSplitMoreThan65535SlicesAndTheSortTakesThemAllInOneGrid() {
        int slices = 70000, S = 3, D = 2, K = 2;
        kernels.updateCentroids(slices, S, D, K, mem("points", 4L * slices * S * D), mem("ids", 4L * slices * S),
                mem("active", 4L * slices), mem("centroids", 4L * slices * K * D), mem("offsets", 4L * slices * K),
                mem("ends", 4L * slices * K), mem("order", 4L * slices * S), 0);
        assertEquals(List.of(Ptx.CLUSTER_SORT, Ptx.CLUSTER_MEANS, Ptx.CLUSTER_MEANS),
                launches.stream().map(Launch::kernel).toList());
        assertArrayEquals(new int[] {slices}, launches.get(0).grid());
        assertArrayEquals(new int[] {K, 65535, 1}, launches.get(1).grid());
        assertArrayEquals(new int[] {K, slices - 65535, 1}, launches.get(2).grid());
    }

    @Test
    void spanKernelsCoverEveryElement() {
        int slices = 3, S = 50, D = 130, K = 9;
        long rows = (long) slices * S;
        kernels.roundBf16(mem("centroids", 4L * slices * K * D), (long) slices * K * D, mem("stored", 2L * slices * K * D), 0);
        kernels.subtractBf16(mem("x", 4 * rows * D), mem("ids", 4 * rows), mem("stored", 2L * slices * K * D), rows, S, D, K,
                mem("firstBad", 4), 1);
        kernels.gatherRows(mem("x", 4 * rows * D), mem("rows", 4L * slices * K), slices, S, D, K,
                mem("centroids", 4L * slices * K * D), 0);
        assertEquals(List.of(Ptx.ROUND_BF16, Ptx.SUBTRACT_BF16, Ptx.GATHER_ROWS), launches.stream().map(Launch::kernel).toList());
        assertTrue(launches.get(0).threads() >= (long) slices * K * D);
        assertTrue(launches.get(1).threads() >= rows * D);
        assertTrue(launches.get(2).threads() >= (long) slices * K * D);
    }

    @Test
    void quantizeRowsAddressesTheChunkItIsGiven() {
        for (BlockQuantConfig cfg : List.of(BlockQuantConfig.publishedInt2(), new BlockQuantConfig(3, 7, false,
                ScalePrecision.FP8_E4M3))) {
            launches.clear();
            int rows = 100, cols = cfg.blockSize() * 4, r0 = 60, n = 40;
            long nb = (long) rows * cfg.blocksPerRow(cols);
            kernels.quantizeRows(cfg, cols, r0, n, mem("x", 4L * rows * cols), mem("scales", 2 * nb),
                    mem("zeros", cfg.symmetric() ? 0 : 2 * nb), mem("usedScale", 4 * nb), mem("usedZero", 4 * nb),
                    mem("codes", (long) rows * cfg.packedBytesPerRow(cols)), 1);
            assertEquals(List.of(Ptx.BLOCK_STATS, Ptx.PACK), launches.stream().map(Launch::kernel).toList());
            assertTrue(launches.get(0).threads() >= 32L * n * cfg.blocksPerRow(cols), "one warp per block");
            assertTrue(launches.get(1).threads() >= (long) n * cfg.packedBytesPerRow(cols), "one thread per byte");
        }
    }

    @Test
    void decodeUsesFourElementsAThreadOnlyWhereRowsAllowIt() {
        BlockQuantConfig cfg = new BlockQuantConfig(3, 7, true, ScalePrecision.BF16);
        for (int cols : new int[] {28, 42}) {
            launches.clear();
            int rows = 9;
            long numel = (long) rows * cols;
            kernels.decode(Ptx.DECODE_F32, cfg, rows, cols, mem("codes", (long) rows * cfg.packedBytesPerRow(cols)),
                    mem("scales", 2L * rows * cols / 7), mem("zeros", 0), cols, 3, 0, mem("cent", 2), mem("ids", 4),
                    mem("offs", 8), mem("clusters", 4), mem("out", 4 * numel), 0);
            int vec = (Integer) launches.get(0).args()[18];
            assertEquals(cols % 4 == 0 ? 4 : 1, vec, "cols " + cols);
            assertTrue(launches.get(0).threads() * vec >= numel, "covers every element");
        }
    }
}
