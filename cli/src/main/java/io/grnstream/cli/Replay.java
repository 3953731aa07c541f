package io.grnstream.cli;

import io.grnstream.avro.DebugFlags;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.LatentVideo;
import io.grnstream.avro.Provenance;
import io.grnstream.avro.VideoReady;
import io.grnstream.client.GrnClient;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Replays a request: submits it again with {@code replayOf} set, waits for the new video and
 * compares the outputs with the original's: latent bits, MP4 sha256, and when they differ, the
 * first differing bit and the provenance fields (request fields, each stage's software) that
 * explain it.
 */
final class Replay {
    private final GrnClient client;
    private final PrintStream out;

    Replay(GrnClient client, PrintStream out) {
        this.client = client;
        this.out = out;
    }

    /** Returns true when the replay is bit-identical to the original. */
    boolean replay(GenerationRequest original, boolean trace, int timeoutSeconds) throws Exception {
        String id = original.getRequestId();
        String replayId = id + "-replay-" + Long.toString(System.currentTimeMillis(), 36);
        GenerationRequest again = GenerationRequest.newBuilder(original)
                .setRequestId(replayId)
                .setReplayOf(id)
                .setSubmittedAtEpochMs(0)
                // The original's deadline has usually passed; it never changes the bits, only whether they come.
                .setDeadlineEpochMs(null)
                .setDebug(trace ? DebugFlags.newBuilder().setRecordStepTrace(true).build() : original.getDebug())
                .build();
        Optional<VideoReady> originalVideo = client.video(id);
        Optional<LatentVideo> originalLatent = client.latent(id);
        out.println("replaying " + id + " as " + replayId);
        VideoReady video = client.submit(again).video().get(timeoutSeconds, TimeUnit.SECONDS);
        LatentVideo latent = client.latent(replayId).orElseThrow();
        boolean identical = true;
        boolean latentsIdentical = false;
        if (originalLatent.isPresent()) {
            int diff = firstDifference(originalLatent.get().getPackedBits(), latent.getPackedBits());
            latentsIdentical = diff < 0;
            if (diff < 0) {
                out.println("  latent bits: identical (" + latent.getPackedBits().remaining() + " bytes)");
            } else {
                identical = false;
                out.println("  latent bits: DIFFER from bit " + diff + " (token " + diff / latent.getBitsPerToken()
                        + ", bit " + diff % latent.getBitsPerToken() + " of the token)");
                out.println("  provenance: " + explain(originalLatent.get().getProvenance(), latent.getProvenance()));
            }
        } else {
            out.println("  latent bits: original no longer on the latents topic (retention); compared the video only");
        }
        if (originalVideo.isPresent()) {
            boolean same = originalVideo.get().getSha256().equals(video.getSha256());
            identical &= same;
            out.println("  mp4 sha256: " + (same ? "identical " : "DIFFERS ") + video.getSha256()
                    + (same ? "" : " vs " + originalVideo.get().getSha256()));
            if (!same && (originalLatent.isEmpty() || latentsIdentical)) {
                // Identical bits put the cause after refinement: the decoder's and assembler's runtimes.
                out.println("  provenance: " + explain(originalVideo.get().getProvenance(), video.getProvenance()));
            }
        } else {
            out.println("  mp4: the original has no video to compare");
        }
        out.println(identical ? "bit-identical" : "NOT bit-identical");
        return identical;
    }

    /**
     * Why two outputs of the same request may differ: the request fields that changed, else the
     * stages whose recorded software changed, else the runtime's own nondeterminism.
     */
    static String explain(Provenance a, Provenance b) {
        List<String> differences = new ArrayList<>();
        compare(differences, "model bundle", a.getModelBundleSha256(), b.getModelBundleSha256());
        compare(differences, "model", a.getModelId(), b.getModelId());
        compare(differences, "step policy", a.getStepPolicy(), b.getStepPolicy());
        compare(differences, "steps used", a.getStepsUsed(), b.getStepsUsed());
        compare(differences, "seed", a.getSeed(), b.getSeed());
        compare(differences, "guidance", a.getGuidanceScale(), b.getGuidanceScale());
        compare(differences, "temperature", a.getTemperature(), b.getTemperature());
        compare(differences, "HBQ rounds", a.getHbqRounds(), b.getHbqRounds());
        Set<String> stages = new TreeSet<>(a.getRuntimes().keySet());
        stages.addAll(b.getRuntimes().keySet());
        for (String stage : stages) {
            String before = a.getRuntimes().get(stage);
            String after = b.getRuntimes().get(stage);
            if (before == null) {
                differences.add(stage + " runtime not recorded on the original; now " + after);
            } else if (!before.equals(after)) {
                differences.add(stage + " runtime " + before + " -> " + (after == null ? "not recorded" : after));
            }
        }
        if (!differences.isEmpty()) {
            return String.join("; ", differences);
        }
        return "the same, every stage's runtime included; the difference comes from nondeterminism inside the"
                + " runtime (for example GPU kernels or a different CPU instruction set)";
    }

    private static void compare(List<String> out, String what, Object a, Object b) {
        if (!String.valueOf(a).equals(String.valueOf(b))) {
            out.add(what + " " + a + " -> " + b);
        }
    }

    /** Index of the first differing bit (MSB first), or -1 when equal. */
    static int firstDifference(ByteBuffer a, ByteBuffer b) {
        ByteBuffer x = a.duplicate();
        ByteBuffer y = b.duplicate();
        int n = Math.min(x.remaining(), y.remaining());
        for (int i = 0; i < n; i++) {
            int d = (x.get() ^ y.get()) & 0xFF;
            if (d != 0) {
                return i * 8 + Integer.numberOfLeadingZeros(d) - 24;
            }
        }
        return x.remaining() == y.remaining() ? -1 : n * 8;
    }
}
