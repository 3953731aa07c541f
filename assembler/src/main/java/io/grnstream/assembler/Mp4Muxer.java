package io.grnstream.assembler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * Writes RGB24 frames as an H.264 (yuv420p) MP4 at a constant frame rate, with the moov atom in
 * front (faststart) so players can start before the whole file arrives.
 * <p>JavaCV silently substitutes mpeg4 when the named encoder is missing, so the encoder is
 * looked up in the loaded FFmpeg build first and its absence is an error.
 */
public final class Mp4Muxer implements AutoCloseable {
    static {
        // FFmpeg writes its encoder banner to stderr at INFO; errors still come through.
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    private final FFmpegFrameRecorder recorder;
    private final int width;
    private final int height;
    private final ByteBuffer frame;
    private int framesWritten;

    /** Fails fast, naming the encoder, when the loaded FFmpeg build does not have it. */
    public static void requireEncoder(String encoder) {
        if (avcodec.avcodec_find_encoder_by_name(encoder) == null) {
            throw new IllegalStateException("the FFmpeg build on the classpath has no '" + encoder + "' encoder"
                    + " (libx264 needs the GPL build: mvn -Pffmpeg-gpl; libopenh264 is in the default LGPL build)");
        }
    }

    /** "FFmpeg VERSION ENCODER (B bits per pixel)": what decides the MP4 bytes besides the frames. */
    public static String describe(String encoder, double bitsPerPixel) {
        return "FFmpeg " + avutil.av_version_info().getString() + " " + encoder + " (" + bitsPerPixel + " bits per pixel)";
    }

    public Mp4Muxer(Path output, int width, int height, int fps, String encoder, double bitsPerPixel) throws IOException {
        if (width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("yuv420p needs even frame sides, got " + width + "x" + height);
        }
        requireEncoder(encoder);
        this.width = width;
        this.height = height;
        this.frame = ByteBuffer.allocateDirect(width * height * 3);
        recorder = new FFmpegFrameRecorder(output.toFile(), width, height, 0);
        recorder.setFormat("mp4");
        recorder.setVideoCodecName(encoder);
        recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        recorder.setFrameRate(fps);
        recorder.setGopSize(fps);
        recorder.setVideoBitrate((int) Math.max(50_000, Math.min(50_000_000, width * (double) height * fps * bitsPerPixel)));
        // A muxer option: given as a video (codec) option it is silently ignored.
        recorder.setOption("movflags", "+faststart");
        // Every frame must come out (OpenH264's rate control may otherwise drop some), and one
        // thread keeps the bytes identical when the same frames are muxed again.
        recorder.setVideoOption("allow_skip_frames", "0");
        recorder.setVideoOption("threads", "1");
        try {
            recorder.start();
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException("cannot start the " + encoder + " MP4 encoder: " + e.getMessage(), e);
        }
        if (!encoder.equals(recorder.getVideoCodecName())) {
            close();
            throw new IllegalStateException("FFmpeg opened '" + recorder.getVideoCodecName() + "' instead of " + encoder);
        }
    }

    /** Appends one frame: {@code width * height * 3} bytes at {@code offset}, rows top to bottom. */
    public void write(byte[] rgb, int offset) throws IOException {
        frame.clear();
        frame.put(rgb, offset, width * height * 3);
        frame.flip();
        try {
            recorder.recordImage(width, height, Frame.DEPTH_UBYTE, 3, width * 3, avutil.AV_PIX_FMT_RGB24, frame);
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException("encoding frame " + framesWritten + " failed: " + e.getMessage(), e);
        }
        framesWritten++;
    }

    public int framesWritten() {
        return framesWritten;
    }

    /** Flushes the encoder and writes the index; the file is complete once this returns. */
    public void finish() throws IOException {
        try {
            recorder.stop();
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException("finishing the MP4 failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            recorder.release();
        } catch (FFmpegFrameRecorder.Exception e) {
            // nothing more to release
        }
    }
}
