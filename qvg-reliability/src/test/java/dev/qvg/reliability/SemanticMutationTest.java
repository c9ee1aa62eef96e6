package dev.qvg.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qvg.io.CorruptFileException;
import dev.qvg.io.QuantizedKvFile;
import dev.qvg.io.QuantizedKvStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Semantic mutations with a known verdict (issue 20, item 8): a valid quantized file edited so
 * that its meaning is wrong (an entry left out of the list, a stray tensor, a negative k-means
 * iteration count, a config whose bits disagree with the codes), then correctly re-signed, must be refused by every reader; the
 * structural fuzzer ({@link ForgedQuantizedFileFuzzTest}) only checks that nothing but a clean
 * refusal escapes, so it cannot tell a silently accepted lie from a correct read. Seeded: each
 * case prints nothing unless it fails, naming the seed file and the edit.
 */
class SemanticMutationTest {

    private static final long SEED = 20261206L;
    private static final int ROUNDS = 40;

    /** An edit with the words its refusal must contain. */
    private record Mutation(String what, String mustSay, RawSafeTensors file) {
    }

    @Test
    void everySemanticLieIsRefusedByEveryReader() throws Exception {
        SplittableRandom rnd = new SplittableRandom(SEED);
        int checked = 0;
        for (RawSafeTensors base : ForgedQuantizedFileFuzzTest.BASES) {
            for (int round = 0; round < ROUNDS; round++) {
                for (Mutation m : mutations(base, rnd)) {
                    byte[] forged = m.file().sign().encode();
                    Path f = Scratch.write(forged);
                    for (String reader : List.of("read", "stream", "inspect")) {
                        try {
                            switch (reader) {
                                case "read" -> QuantizedKvFile.read(f);
                                case "stream" -> QuantizedKvStreamReader.open(f).close();
                                default -> ReaderTargets.inspect(f);
                            }
                            throw new AssertionError(reader + " accepted a file with " + m.what());
                        } catch (CorruptFileException e) {
                            assertTrue(e.getMessage().contains(m.mustSay()), reader + ", " + m.what() + ": " + e.getMessage());
                        }
                    }
                    checked++;
                }
            }
        }
        assertTrue(checked >= ForgedQuantizedFileFuzzTest.BASES.size() * ROUNDS, "mutations checked: " + checked);
    }

    private static List<Mutation> mutations(RawSafeTensors base, SplittableRandom rnd) {
        List<Mutation> out = new ArrayList<>();
        List<String> entries = Arrays.asList(base.metadata.get("qvg.entries").split(","));
        // a listed entry left out: its tensors would be dropped without a word
        if (entries.size() > 1) {
            RawSafeTensors f = base.copy();
            List<String> kept = new ArrayList<>(entries);
            String dropped = kept.remove(rnd.nextInt(kept.size()));
            f.metadata.put("qvg.entries", String.join(",", kept));
            out.add(new Mutation("entry '" + dropped + "' left out of qvg.entries", "belongs to no entry", f));
        }
        // a negative k-means iteration count in any stage of any entry
        List<String> iterations = base.tensors.keySet().stream().filter(n -> n.endsWith(".iterations")).toList();
        if (!iterations.isEmpty()) {
            RawSafeTensors f = base.copy();
            String t = iterations.get(rnd.nextInt(iterations.size()));
            byte[] data = f.tensors.get(t).data;
            int slice = rnd.nextInt(data.length / 4);
            int value = -1 - rnd.nextInt(Integer.MAX_VALUE);
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putInt(4 * slice, value);
            out.add(new Mutation(value + " iterations in " + t + " slice " + slice, "cannot be negative", f));
        }
        // a config whose code bits disagree with the entries' ("int2" over int4 codes)
        String bits = base.metadata.get("qvg.config.bits");
        if (bits != null) {
            RawSafeTensors f = base.copy();
            List<String> others = new ArrayList<>(List.of("2", "3", "4", "8"));
            others.remove(bits);
            String lie = others.get(rnd.nextInt(others.size()));
            f.metadata.put("qvg.config.bits", lie);
            out.add(new Mutation("qvg.config.bits " + lie + " over " + bits + "-bit codes", "the file's config says", f));
        }
        // an extra tensor no entry owns (a stray copy of one of them)
        RawSafeTensors stray = base.copy();
        String some = new ArrayList<>(stray.tensors.keySet()).get(rnd.nextInt(stray.tensors.size()));
        stray.tensors.put("stray" + rnd.nextInt(1000), stray.tensors.get(some).copy());
        out.add(new Mutation("a stray tensor", "belongs to no entry", stray));
        assertEquals(out.size(), out.stream().map(Mutation::what).distinct().count());
        return out;
    }
}
