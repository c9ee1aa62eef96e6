package dev.qvg.residual;

/** Token-major {@code [n, S, D]} to and from channel-major {@code [n, D, S]} (KIVI's keys). */
final class Transpose {

    private Transpose() {
    }

    /** {@code out[(i*D + d)*S + s] = in[(i*inS + s)*D + d]} for the first {@code S} of {@code inS} tokens. */
    static void tokenToChannel(float[] in, int inS, float[] out, int n, int S, int D) {
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < S; s++) {
                int src = (i * inS + s) * D;
                for (int d = 0; d < D; d++) {
                    out[(i * D + d) * S + s] = in[src + d];
                }
            }
        }
    }

    /** {@code out[(i*S + s)*D + d] = in[(i*D + d)*S + s]}. */
    static void channelToToken(float[] in, float[] out, int n, int S, int D) {
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < D; d++) {
                int src = (i * D + d) * S;
                for (int s = 0; s < S; s++) {
                    out[(i * S + s) * D + d] = in[src + s];
                }
            }
        }
    }
}
