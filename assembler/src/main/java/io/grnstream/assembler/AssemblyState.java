package io.grnstream.assembler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the assembler remembers of one request: references to its chunks and counts, never pixels.
 *
 * @param metadata     the first chunk's record without its payload (Confluent-encoded FrameChunk)
 * @param chunks       received, non-overlapping chunk references, sorted by first frame
 * @param firstSeenMs  wall-clock time of the first chunk
 * @param lastSeenMs   wall-clock time of the latest new chunk
 * @param status       OPEN until the video is out (COMPLETED), the request failed (FAILED) or was
 *                     cancelled (CANCELLED)
 * @param closedAtMs   when it left OPEN, 0 while open
 * @param blobsCleaned whether its frame blobs were deleted
 * @param lastPartition source partition of the latest chunk (for dead letters)
 * @param lastOffset   source offset of the latest chunk
 */
public record AssemblyState(byte[] metadata, int totalFrames, List<ChunkRef> chunks, long firstSeenMs,
                            long lastSeenMs, Status status, long closedAtMs, boolean blobsCleaned,
                            int lastPartition, long lastOffset) {

    /** Stored by ordinal: new statuses go at the end. */
    public enum Status { OPEN, COMPLETED, FAILED, CANCELLED }

    /** Frames [first, last] of a request, stored at uri. */
    public record ChunkRef(int first, int last, String uri, long sizeBytes, String sha256) {
        int frames() {
            return last - first + 1;
        }
    }

    public AssemblyState {
        chunks = List.copyOf(chunks);
    }

    /** A request that ended before any chunk of it arrived: later chunks are dropped. */
    static AssemblyState endedEarly(Status status, long now, int partition, long offset) {
        return new AssemblyState(new byte[0], 0, List.of(), now, now, status, now, false, partition, offset);
    }

    static AssemblyState open(byte[] metadata, int totalFrames, long now, int partition, long offset) {
        return new AssemblyState(metadata, totalFrames, List.of(), now, now, Status.OPEN, 0, false, partition, offset);
    }

    public int framesReceived() {
        return chunks.stream().mapToInt(ChunkRef::frames).sum();
    }

    public boolean isComplete() {
        return framesReceived() == totalFrames;
    }

    /** How a chunk relates to what was received: new, an exact duplicate, or overlapping differently. */
    enum Fit { NEW, DUPLICATE, CONFLICT }

    Fit fit(int first, int last) {
        for (ChunkRef c : chunks) {
            if (c.first() == first && c.last() == last) {
                return Fit.DUPLICATE;
            }
            if (first <= c.last() && c.first() <= last) {
                return Fit.CONFLICT;
            }
        }
        return Fit.NEW;
    }

    AssemblyState withChunk(ChunkRef chunk, long now, int partition, long offset) {
        List<ChunkRef> more = new ArrayList<>(chunks);
        more.add(chunk);
        more.sort(Comparator.comparingInt(ChunkRef::first));
        return new AssemblyState(metadata, totalFrames, more, firstSeenMs, now, status, closedAtMs, blobsCleaned,
                partition, offset);
    }

    AssemblyState closed(Status to, long now) {
        return new AssemblyState(metadata, totalFrames, chunks, firstSeenMs, lastSeenMs, to, now, blobsCleaned,
                lastPartition, lastOffset);
    }

    AssemblyState cleaned() {
        return new AssemblyState(metadata, totalFrames, chunks, firstSeenMs, lastSeenMs, status, closedAtMs, true,
                lastPartition, lastOffset);
    }
}
