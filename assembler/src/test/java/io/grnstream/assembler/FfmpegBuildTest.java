package io.grnstream.assembler;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.junit.jupiter.api.Test;

/**
 * The FFmpeg natives resolved for this host carry what the assembler needs. JavaCV silently falls
 * back to mpeg4 when an encoder is missing, so the build checks for the H.264 encoder itself.
 */
class FfmpegBuildTest {

    @Test
    void hostBuildHasAnH264EncoderAndTheMp4Muxer() {
        String encoder = System.getProperty("grn.ffmpeg.h264.encoder", "libopenh264");
        assertNotNull(avcodec.avcodec_find_encoder_by_name(encoder), encoder + " missing from the FFmpeg build");
        assertNotNull(avformat.av_guess_format("mp4", null, null), "mp4 muxer missing from the FFmpeg build");
    }
}
