package io.grnstream.kafka;

import io.grnstream.avro.BitLayout;
import io.grnstream.avro.BlobRef;
import io.grnstream.avro.ControlAction;
import io.grnstream.avro.ControlCommand;
import io.grnstream.avro.DeadLetter;
import io.grnstream.avro.DebugFlags;
import io.grnstream.avro.EntropyGuidedSteps;
import io.grnstream.avro.ErrorInfo;
import io.grnstream.avro.ErrorType;
import io.grnstream.avro.FrameChunk;
import io.grnstream.avro.FrameEncoding;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.LatentGeometry;
import io.grnstream.avro.LatentVideo;
import io.grnstream.avro.Provenance;
import io.grnstream.avro.RefineTimings;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import io.grnstream.avro.VideoReady;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated record per topic value, optional fields set, for round-trip tests. */
public final class SampleRecords {
    private SampleRecords() {
    }

    public static final String REQUEST_ID = "req-7f3a";

    public static GenerationRequest request() {
        return GenerationRequest.newBuilder()
                .setRequestId(REQUEST_ID)
                .setPrompt("a red circle moving left on a black background")
                .setNegativePrompt("blurry")
                .setSeed(42L)
                .setFrames(17)
                .setDurationSeconds(null)
                .setFps(8)
                .setAspectRatio("1:1")
                .setResolutionPreset("64px")
                .setGuidanceScale(4.0)
                .setTemperature(1.0)
                .setStepPolicy(EntropyGuidedSteps.newBuilder().setWarmupSteps(5).setMinSteps(10).setMaxSteps(50)
                        .setK(417.7).setB(-318.1).build())
                .setPriority(3)
                .setModelId("grn-tiny-shapes")
                .setClientMetadata(Map.of("team", "ads", "ticket", "GRN-12"))
                .setReplayOf("req-0001")
                .setDeadlineEpochMs(1_800_000_000_000L)
                .setSubmittedAtEpochMs(1_790_000_000_000L)
                .setDebug(DebugFlags.newBuilder().setRecordStepTrace(true).setPreviewEverySteps(5)
                        .setKeepIntermediateBlobs(false).build())
                .build();
    }

    public static Provenance provenance() {
        return Provenance.newBuilder()
                .setRequestId(REQUEST_ID)
                .setModelId("grn-tiny-shapes")
                .setModelBundleSha256("ab".repeat(32))
                .setSeed(42L)
                .setGuidanceScale(4.0)
                .setTemperature(1.0)
                .setStepPolicy("entropy(wp=5,k=417.7,b=-318.1,min=10,max=50)")
                .setStepsUsed(23)
                .setHbqRounds(4)
                .setReplayOf(null)
                .setRequestPartition(3)
                .setRequestOffset(1234L)
                .setWorkers(Map.of("refiner-workers", "worker-0"))
                .setRuntimes(Map.of("refiner-workers", "grn-stream 0.1.0; onnxruntime 1.29.0 (CPU)"))
                .build();
    }

    public static LatentVideo latent() {
        byte[] bits = new byte[5 * 8 * 8 * 32 / 8];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (byte) (i * 31 + 7);
        }
        return LatentVideo.newBuilder()
                .setRequestId(REQUEST_ID)
                .setGeometry(LatentGeometry.newBuilder().setChannels(8).setLatentFrames(5).setLatentHeight(8)
                        .setLatentWidth(8).setFrames(17).setFps(8).setSpatialStride(8).setTemporalStride(4).build())
                .setHbqRounds(4)
                .setBitsPerToken(32)
                .setBitLayout(BitLayout.TOKEN_RASTER_ROUND_MAJOR_MSB_FIRST)
                .setPackedBits(ByteBuffer.wrap(bits))
                .setStepsUsed(23)
                .setEntropyTrace(List.of(0.99f, 0.8f, 0.5f))
                .setKeepRatioTrace(List.of(0.0f, 0.01f, 0.05f))
                .setTimings(RefineTimings.newBuilder().setQueuedMs(10).setTextEncodeMs(3).setRefineMs(900)
                        .setTotalMs(920).build())
                .setProvenance(provenance())
                .setClientMetadata(Map.of("team", "ads"))
                .build();
    }

    public static FrameChunk frames() {
        return FrameChunk.newBuilder()
                .setRequestId(REQUEST_ID)
                .setFirstFrame(1)
                .setLastFrame(4)
                .setTotalFrames(17)
                .setWidth(64)
                .setHeight(64)
                .setFps(8)
                .setEncoding(FrameEncoding.RGB24)
                .setInlineBytes(null)
                .setBlob(BlobRef.newBuilder().setUri("file:///blobs/req-7f3a/frames/1-4").setSizeBytes(49_152)
                        .setSha256("cd".repeat(32)).build())
                .setProvenance(provenance())
                .setClientMetadata(Map.of())
                .build();
    }

    public static VideoReady video() {
        return VideoReady.newBuilder()
                .setRequestId(REQUEST_ID)
                .setUri("file:///blobs/req-7f3a/video.mp4")
                .setInlineBytes(ByteBuffer.wrap(new byte[] {0, 0, 0, 0x20, 'f', 't', 'y', 'p'}))
                .setSizeBytes(8)
                .setSha256("ef".repeat(32))
                .setDurationSeconds(2.125)
                .setFrames(17)
                .setFps(8)
                .setWidth(64)
                .setHeight(64)
                .setCodec("h264")
                .setContainer("mp4")
                .setCompletedAtEpochMs(1_790_000_001_000L)
                .setProvenance(provenance())
                .setClientMetadata(Map.of("team", "ads"))
                .build();
    }

    public static RequestEvent event() {
        return RequestEvent.newBuilder()
                .setRequestId(REQUEST_ID)
                .setStatus(RequestStatus.FAILED)
                .setStage(Stage.REFINING)
                .setStep(7)
                .setTotalSteps(23)
                .setEntropy(0.61)
                .setEtaMs(1500L)
                .setError(ErrorInfo.newBuilder().setType(ErrorType.MODEL_FAILURE).setMessage("ONNX session failed")
                        .setRetriable(true).build())
                .setPreviewUri("file:///blobs/req-7f3a/preview/7.png")
                .setEmittedBy("worker-0")
                .setAttempt(2)
                .setTimestampEpochMs(1_790_000_000_500L)
                .build();
    }

    public static ControlCommand cancel() {
        return ControlCommand.newBuilder()
                .setRequestId(REQUEST_ID)
                .setAction(ControlAction.CANCEL)
                .setReason("user pressed stop")
                .setIssuedBy("grn-cli")
                .setIssuedAtEpochMs(1_790_000_000_700L)
                .build();
    }

    public static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setRequestId(REQUEST_ID)
                .setOriginalTopic("grn.requests")
                .setOriginalPartition(3)
                .setOriginalOffset(77L)
                .setOriginalKey(ByteBuffer.wrap(REQUEST_ID.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .setOriginalValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setStage("refiner-workers")
                .setErrorType(ErrorType.UNDECODABLE_RECORD)
                .setErrorMessage("unknown magic byte 0x01")
                .setExceptionClass("io.grnstream.kafka.serde.UndecodableRecordException")
                .setAttempt(1)
                .setFailedAtEpochMs(1_790_000_000_900L)
                .build();
    }

    /** The sample of each topic's value type, keyed by its definition. */
    public static Map<TopicDef<?>, SpecificRecord> byTopic() {
        return Map.of(Topics.REQUESTS, request(), Topics.LATENTS, latent(), Topics.FRAMES, frames(),
                Topics.VIDEOS, video(), Topics.EVENTS, event(), Topics.CONTROL, cancel(), Topics.DLQ, deadLetter());
    }
}
