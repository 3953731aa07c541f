package io.grnstream.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grnstream.avro.VideoReady;

/**
 * The JSON form of a finished video, as webhooks and the status service give it: where the MP4
 * is, what it is and what made it, never the bytes themselves.
 */
public final class VideoReadyJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private VideoReadyJson() {
    }

    /** {"requestId", "status": "COMPLETED", "video": {...}, "completedAtEpochMs", "provenance", "clientMetadata"}. */
    public static ObjectNode tree(VideoReady v) {
        ObjectNode o = JSON.createObjectNode();
        o.put("requestId", v.getRequestId());
        o.put("status", "COMPLETED");
        ObjectNode video = o.putObject("video");
        video.put("uri", v.getUri());
        video.put("sizeBytes", v.getSizeBytes());
        video.put("sha256", v.getSha256());
        video.put("durationSeconds", v.getDurationSeconds());
        video.put("frames", v.getFrames());
        video.put("fps", v.getFps());
        video.put("width", v.getWidth());
        video.put("height", v.getHeight());
        video.put("codec", v.getCodec());
        video.put("container", v.getContainer());
        o.put("completedAtEpochMs", v.getCompletedAtEpochMs());
        ObjectNode provenance = o.putObject("provenance");
        provenance.put("modelId", v.getProvenance().getModelId());
        provenance.put("modelBundleSha256", v.getProvenance().getModelBundleSha256());
        provenance.put("seed", v.getProvenance().getSeed());
        provenance.put("stepPolicy", v.getProvenance().getStepPolicy());
        provenance.put("stepsUsed", v.getProvenance().getStepsUsed());
        ObjectNode metadata = o.putObject("clientMetadata");
        v.getClientMetadata().forEach(metadata::put);
        return o;
    }

    public static String write(VideoReady v) {
        return tree(v).toString();
    }
}
