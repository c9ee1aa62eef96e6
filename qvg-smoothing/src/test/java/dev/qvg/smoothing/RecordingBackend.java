package dev.qvg.smoothing;

import dev.qvg.api.reference.ReferenceBackend;
import dev.qvg.api.spi.FilterBackend;
import dev.qvg.api.tensor.SliceBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference backend, recording per slice how often it was assigned and the k-means
 * objective after every centroid update, so tests can watch the iterations.
 */
final class RecordingBackend extends FilterBackend {
    final List<List<Double>> objectives = new ArrayList<>();
    int[] assignCalls;

    RecordingBackend() {
        super(new ReferenceBackend());
    }

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public void assign(SliceBatch batch, float[] points, float[] centroids, int clusters, int[] ids, int[] changed,
                       boolean[] active) {
        if (assignCalls == null) {
            assignCalls = new int[batch.slices()];
            for (int i = 0; i < batch.slices(); i++) {
                objectives.add(new ArrayList<>());
            }
        }
        for (int i = 0; i < batch.slices(); i++) {
            if (active == null || active[i]) {
                assignCalls[i]++;
            }
        }
        super.assign(batch, points, centroids, clusters, ids, changed, active);
    }

    @Override
    public void updateCentroids(SliceBatch batch, float[] points, int[] ids, int clusters, float[] centroids,
                                boolean[] active) {
        super.updateCentroids(batch, points, ids, clusters, centroids, active);
        double[] obj = TestData.objective(batch, points, centroids, clusters, ids);
        for (int i = 0; i < batch.slices(); i++) {
            if (active == null || active[i]) {
                objectives.get(i).add(obj[i]);
            }
        }
    }
}
