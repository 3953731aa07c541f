/**
 * Kafka Streams application gathering FrameChunks per request and muxing them to MP4 through FFmpeg, publishing VideoReady.
 */
package io.grnstream.assembler;
