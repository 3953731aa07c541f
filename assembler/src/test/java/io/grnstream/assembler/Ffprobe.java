package io.grnstream.assembler;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Inspects an MP4 the way a player would: Debian's ffprobe for the stream facts, and a walk of the
 * file's top-level boxes for the faststart layout. CI (CI=true) installs ffmpeg and requires it;
 * elsewhere the ffprobe checks are skipped when it is missing.
 */
public final class Ffprobe {
    public record Stream(String codec, String pixelFormat, int width, int height, int frames, double durationSeconds,
                  String frameRate) {
    }

    private Ffprobe() {
    }

    public static Stream probe(Path mp4) throws IOException, InterruptedException {
        boolean present = new ProcessBuilder("ffprobe", "-version").redirectErrorStream(true).start().waitFor() == 0;
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("ffprobe is missing; .ci/run installs Debian's ffmpeg package");
        }
        assumeTrue(present, "ffprobe not installed (apt-get install ffmpeg)");
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,pix_fmt,width,height,nb_read_frames,r_frame_rate:format=duration",
                "-of", "json", mp4.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ffprobe failed on " + mp4 + ": " + out);
        }
        JsonNode json = new ObjectMapper().readTree(out);
        JsonNode s = json.path("streams").get(0);
        return new Stream(s.path("codec_name").asText(), s.path("pix_fmt").asText(), s.path("width").asInt(),
                s.path("height").asInt(), s.path("nb_read_frames").asInt(),
                json.path("format").path("duration").asDouble(), s.path("r_frame_rate").asText());
    }

    /** Types of the top-level boxes in file order, e.g. [ftyp, moov, free, mdat]. */
    public static List<String> topLevelBoxes(Path mp4) throws IOException {
        List<String> boxes = new ArrayList<>();
        try (RandomAccessFile file = new RandomAccessFile(mp4.toFile(), "r")) {
            long at = 0;
            while (at + 8 <= file.length()) {
                file.seek(at);
                long size = Integer.toUnsignedLong(file.readInt());
                byte[] type = new byte[4];
                file.readFully(type);
                if (size == 1) {
                    size = file.readLong();
                } else if (size == 0) {
                    size = file.length() - at;
                }
                boxes.add(new String(type, StandardCharsets.US_ASCII));
                if (size < 8) {
                    break;
                }
                at += size;
            }
        }
        return boxes;
    }
}
