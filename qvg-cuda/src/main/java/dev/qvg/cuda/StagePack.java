package dev.qvg.cuda;

import dev.qvg.api.quant.ClusterStage;
import java.util.List;

/**
 * The cluster stages of a fused decode laid end to end for one upload: bf16 centroids of every
 * stage concatenated (with each stage's start offset and cluster count) and the stages' ids
 * concatenated in stage order. The kernel adds the stages in list order, as the reference does.
 */
record StagePack(short[] centroids, int[] ids, long[] centroidOffsets, int[] clusters) {

    static StagePack of(List<ClusterStage> stages) {
        long centTotal = 0, idTotal = 0;
        for (ClusterStage st : stages) {
            centTotal += st.centroids().length;
            idTotal += st.ids().length;
        }
        if (centTotal > Integer.MAX_VALUE - 8 || idTotal > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("stages: " + stages.size() + " stages hold more centroids or ids than one"
                    + " upload supports");
        }
        // At least one element each, so the kernel always receives valid pointers.
        short[] cent = new short[(int) Math.max(1, centTotal)];
        int[] ids = new int[(int) Math.max(1, idTotal)];
        long[] offs = new long[Math.max(1, stages.size())];
        int[] clusters = new int[Math.max(1, stages.size())];
        int c = 0, i = 0;
        for (int s = 0; s < stages.size(); s++) {
            ClusterStage st = stages.get(s);
            offs[s] = c;
            clusters[s] = st.clusters();
            System.arraycopy(st.centroids(), 0, cent, c, st.centroids().length);
            System.arraycopy(st.ids(), 0, ids, i, st.ids().length);
            c += st.centroids().length;
            i += st.ids().length;
        }
        return new StagePack(cent, ids, offs, clusters);
    }
}
