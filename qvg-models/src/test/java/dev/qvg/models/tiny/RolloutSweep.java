package dev.qvg.models.tiny;

import dev.qvg.api.config.QuantizerConfig;
import dev.qvg.models.cache.CachePolicy;
/**
 * Not a test: prints the PSNR windows of every method, the sweep behind the README's tables. Run
 * from the test classpath, e.g. {@code java -cp ... -Dqf=8 -Dframes=200 -Dsinks=0,1 -Dseeds=20260225
 * dev.qvg.models.tiny.RolloutSweep}.
 */
public final class RolloutSweep {

    private RolloutSweep() {
    }

    public static void main(String[] args) {
        int frames = Integer.getInteger("frames", 48);
        for (String seedText : System.getProperty("seeds", "20260225").split(",")) {
            TinyVideoModel m = new TinyVideoModel(TinyModelConfig.defaults().withSeed(Long.parseLong(seedText)));
            System.out.println("model seed " + seedText);
            RolloutResult ref = Rollout.run(m, frames, RolloutArm.bf16(), 1);
            QuantizerConfig base = QuantizerConfig.builder().clusters(16).param("kivi_residual_tokens", String.valueOf(0)).build();
            for (String sinkText : System.getProperty("sinks", "0,1").split(",")) {
                CachePolicy p = new CachePolicy(Integer.getInteger("qf", 8), Integer.getInteger("recent", 0),
                        Integer.parseInt(sinkText));
                for (QuantizerConfig c : new QuantizerConfig[] {
                    base.toBuilder().method("rtn").build(), base.toBuilder().method("rtn").bits(4).build(),
                    base.toBuilder().method("kivi").build(), base.toBuilder().method("kivi").param("kivi_group_size", String.valueOf(64)).build(),
                    base.toBuilder().method("sas").build(), base.toBuilder().method("sas").clusters(32).build(),
                    base.toBuilder().method("prq").stages(2).build()}) {
                    RolloutResult r = Rollout.run(m, frames, RolloutArm.of(c, p), 1);
                    RolloutReport rep = Rollout.compare(m, ref, r);
                    StringBuilder sb = new StringBuilder();
                    int n = rep.chunks();
                    for (int w = 0; w < 5; w++) {
                        int from = Math.max(9, n * w / 5), to = Math.max(from + 1, n * (w + 1) / 5);
                        sb.append(String.format(" [%d,%d) %.1f", from, to, rep.psnr(from, Math.min(n, to))));
                    }
                    System.out.printf("%-55s g%s bpv %.3f mean %.2f t %.2fs |%s%n", r.label(), c.params().getOrDefault("kivi_group_size", "32"), r.bitsPerValue(),
                            rep.meanPsnr(), r.seconds(), sb);
                }
            }
        }
    }
}
