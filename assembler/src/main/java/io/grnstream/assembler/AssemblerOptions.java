package io.grnstream.assembler;

import io.grnstream.config.GrnConfig;
import java.time.Duration;

/** The assembler's settings, resolved once for the processor. */
record AssemblerOptions(String instanceId, Duration chunkTimeout, Duration sweepInterval, Duration finishedRetention,
                        Duration frameBlobGrace, int inlineVideoMaxBytes, String h264Encoder, double bitsPerPixel,
                        FrameScaler.Filter upscale, int displayMinSide) {

    static AssemblerOptions from(GrnConfig config, String instanceId) {
        return new AssemblerOptions(instanceId,
                config.get(AssemblerSettings.CHUNK_TIMEOUT),
                config.get(AssemblerSettings.SWEEP_INTERVAL),
                config.get(AssemblerSettings.FINISHED_RETENTION),
                config.get(AssemblerSettings.FRAME_BLOB_GRACE),
                config.get(AssemblerSettings.INLINE_VIDEO_MAX_BYTES),
                config.get(AssemblerSettings.H264_ENCODER),
                config.get(AssemblerSettings.BITS_PER_PIXEL),
                FrameScaler.Filter.parse(config.get(AssemblerSettings.UPSCALE)),
                config.get(AssemblerSettings.DISPLAY_MIN_SIDE));
    }
}
