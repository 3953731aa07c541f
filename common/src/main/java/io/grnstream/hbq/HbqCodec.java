package io.grnstream.hbq;

/**
 * HBQ over a whole latent video (GRN-METHOD.md 1.1-1.3, 7.5), in the layouts the stages exchange:
 * <ul>
 *   <li><b>latent</b>: floats channel-major, the VAE tensor [C, T', h, w] flattened: value of channel
 *       c at token n is {@code latent[c * N + n]}, tokens n in (t, h, w) raster order (t slowest);</li>
 *   <li><b>bit form</b>: token-major, M x C bits per token in round-major order, bit j = m * C + c,
 *       round m = 0 the most significant; one bit per byte ({@code bits[n * M * C + j]}, 0 or 1) in
 *       memory, packed MSB first eight to a byte on the wire ({@link BitPacking});</li>
 *   <li><b>index form</b>: token-major, one index k in [0, 2^M) per token and channel,
 *       {@code indices[n * C + c]}, with b1 the most significant bit of k.</li>
 * </ul>
 * When C is a multiple of 8 the packed conversions run eight channels at a time through long
 * lanes; other channel counts take a bit-by-bit path with identical results. Instances are
 * immutable and thread-safe.
 */
public final class HbqCodec {
    /** Tokens per block: 256 x 64 channels of indices (16 KB) stay in cache while each channel streams through. */
    private static final int BLOCK_TOKENS = 256;
    /** Masks of the three swap stages of an 8 x 8 byte transpose (1-, 2- and 4-byte sub-blocks). */
    private static final long M1 = 0x00FF00FF00FF00FFL;
    private static final long M2 = 0x0000FFFF0000FFFFL;
    private static final long M4 = 0x00000000FFFFFFFFL;

    private final int channels;
    private final int rounds;
    private final int bitsPerToken;
    private final float[] levels;
    private final boolean laneAligned;

    public HbqCodec(int channels, int rounds) {
        Hbq.checkRounds(rounds);
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be positive, got " + channels);
        }
        this.channels = channels;
        this.rounds = rounds;
        this.bitsPerToken = rounds * channels;
        this.levels = Hbq.levels(rounds);
        this.laneAligned = channels % 8 == 0;
    }

    public int channels() {
        return channels;
    }

    public int rounds() {
        return rounds;
    }

    public int bitsPerToken() {
        return bitsPerToken;
    }

    public int packedBytes(int tokens) {
        return BitPacking.packedLength((long) tokens * bitsPerToken);
    }

    // ---- index form -------------------------------------------------------------------------

    /** latent [C][N] to indices [N][C]. */
    public void quantizeToIndices(float[] latent, int tokens, byte[] indices) {
        checkLatent(latent, tokens);
        checkLength("indices", indices.length, (long) tokens * channels);
        for (int n0 = 0; n0 < tokens; n0 += BLOCK_TOKENS) {
            int count = Math.min(BLOCK_TOKENS, tokens - n0);
            for (int c = 0; c < channels; c++) {
                int src = c * tokens + n0;
                int dst = n0 * channels + c;
                for (int i = 0; i < count; i++, dst += channels) {
                    indices[dst] = (byte) Hbq.index(latent[src + i], rounds);
                }
            }
        }
    }

    /** indices [N][C] to latent [C][N] with the closed form (2k + 1) / 2^M - 1. */
    public void dequantizeIndices(byte[] indices, int tokens, float[] latent) {
        checkLatent(latent, tokens);
        checkLength("indices", indices.length, (long) tokens * channels);
        int mask = (1 << rounds) - 1;
        for (int n0 = 0; n0 < tokens; n0 += BLOCK_TOKENS) {
            int count = Math.min(BLOCK_TOKENS, tokens - n0);
            for (int c = 0; c < channels; c++) {
                int dst = c * tokens + n0;
                int src = n0 * channels + c;
                for (int i = 0; i < count; i++, src += channels) {
                    latent[dst + i] = levels[indices[src] & mask];
                }
            }
        }
    }

    // ---- bit form, one bit per byte ---------------------------------------------------------

    /** indices [N][C] to bits [N][M*C] (0/1 bytes). */
    public void indicesToBits(byte[] indices, int tokens, byte[] bits) {
        checkLength("indices", indices.length, (long) tokens * channels);
        checkLength("bits", bits.length, (long) tokens * bitsPerToken);
        for (int n = 0; n < tokens; n++) {
            int in = n * channels;
            int out = n * bitsPerToken;
            for (int m = 0; m < rounds; m++) {
                int shift = rounds - 1 - m;
                for (int c = 0; c < channels; c++) {
                    bits[out + m * channels + c] = (byte) ((indices[in + c] >>> shift) & 1);
                }
            }
        }
    }

    /** bits [N][M*C] (0/1 bytes) to indices [N][C]. */
    public void bitsToIndices(byte[] bits, int tokens, byte[] indices) {
        checkLength("bits", bits.length, (long) tokens * bitsPerToken);
        checkLength("indices", indices.length, (long) tokens * channels);
        for (int n = 0; n < tokens; n++) {
            int in = n * bitsPerToken;
            int out = n * channels;
            for (int c = 0; c < channels; c++) {
                int k = 0;
                for (int m = 0; m < rounds; m++) {
                    k = (k << 1) | (bits[in + m * channels + c] & 1);
                }
                indices[out + c] = (byte) k;
            }
        }
    }

    /** latent [C][N] to bits [N][M*C] (0/1 bytes). */
    public void quantize(float[] latent, int tokens, byte[] bits) {
        byte[] indices = new byte[tokens * channels];
        quantizeToIndices(latent, tokens, indices);
        indicesToBits(indices, tokens, bits);
    }

    /** bits [N][M*C] (0/1 bytes) to latent [C][N]. */
    public void dequantize(byte[] bits, int tokens, float[] latent) {
        byte[] indices = new byte[tokens * channels];
        bitsToIndices(bits, tokens, indices);
        dequantizeIndices(indices, tokens, latent);
    }

    // ---- packed bit form (the wire) ----------------------------------------------------------

    /** latent [C][N] straight to packed bits, as a refiner or the reconstruction path writes them. */
    public void quantizeAndPack(float[] latent, int tokens, byte[] packed) {
        checkLatent(latent, tokens);
        checkLength("packed", packed.length, packedBytes(tokens));
        if (!laneAligned) {
            byte[] bits = new byte[tokens * bitsPerToken];
            quantize(latent, tokens, bits);
            BitPacking.pack(bits, 0, bits.length, packed);
            return;
        }
        // Indices of a block, channel-major: row c holds BLOCK_TOKENS consecutive tokens, so both
        // the float reads and the byte writes are sequential. 8 x 8 byte tiles of it are then
        // transposed into token-major lanes of 8 channels.
        byte[] block = new byte[channels * BLOCK_TOKENS];
        long[] tile = new long[8];
        int groups = channels >>> 3;
        int rowBytes = rounds * groups;
        for (int n0 = 0; n0 < tokens; n0 += BLOCK_TOKENS) {
            int count = Math.min(BLOCK_TOKENS, tokens - n0);
            for (int c = 0; c < channels; c++) {
                int src = c * tokens + n0;
                int dst = c * BLOCK_TOKENS;
                for (int i = 0; i < count; i++) {
                    block[dst + i] = (byte) Hbq.index(latent[src + i], rounds);
                }
            }
            for (int t0 = 0; t0 < count; t0 += 8) {
                int inTile = Math.min(8, count - t0);
                for (int g = 0; g < groups; g++) {
                    packTile(block, (g << 3) * BLOCK_TOKENS + t0, inTile, packed, (n0 + t0) * rowBytes + g, rowBytes,
                            groups, tile);
                }
            }
        }
    }

    /**
     * One 8 x 8 tile: rows are channels g*8..g*8+7 of the block (8 tokens each); after the
     * transpose each row holds one token's 8 channel indices, from which every round's byte is
     * gathered.
     */
    private void packTile(byte[] block, int at, int tokensInTile, byte[] packed, int out, int rowBytes, int groups,
                          long[] tile) {
        for (int j = 0; j < 8; j++) {
            tile[j] = (long) BitPacking.LONGS.get(block, at + j * BLOCK_TOKENS);
        }
        transpose8x8(tile);
        for (int t = 0; t < tokensInTile; t++) {
            emitRounds(tile[t], packed, out + t * rowBytes, groups);
        }
    }

    private void emitRounds(long lanes, byte[] packed, int out, int groups) {
        for (int m = rounds - 1; m >= 0; m--, out += groups) {
            packed[out] = BitPacking.gather(lanes >>> m);
        }
    }

    /** Packed bits straight to latent [C][N], as the decoder stage reads them. */
    public void unpackAndDequantize(byte[] packed, int tokens, float[] latent) {
        checkLatent(latent, tokens);
        checkLength("packed", packed.length, packedBytes(tokens));
        if (!laneAligned) {
            byte[] bits = new byte[tokens * bitsPerToken];
            BitPacking.unpack(packed, bits.length, bits, 0);
            dequantize(bits, tokens, latent);
            return;
        }
        byte[] block = new byte[channels * BLOCK_TOKENS];
        long[] tile = new long[8];
        int groups = channels >>> 3;
        int rowBytes = rounds * groups;
        for (int n0 = 0; n0 < tokens; n0 += BLOCK_TOKENS) {
            int count = Math.min(BLOCK_TOKENS, tokens - n0);
            for (int t0 = 0; t0 < count; t0 += 8) {
                int inTile = Math.min(8, count - t0);
                for (int g = 0; g < groups; g++) {
                    unpackTile(packed, (n0 + t0) * rowBytes + g, inTile, rowBytes, groups, block,
                            (g << 3) * BLOCK_TOKENS + t0, tile);
                }
            }
            for (int c = 0; c < channels; c++) {
                int src = c * BLOCK_TOKENS;
                int dst = c * tokens + n0;
                for (int i = 0; i < count; i++) {
                    latent[dst + i] = levels[block[src + i] & 0xFF];
                }
            }
        }
    }

    /** The inverse of {@link #packTile}: 8 tokens' indices of 8 channels, transposed into channel rows. */
    private void unpackTile(byte[] packed, int in, int tokensInTile, int rowBytes, int groups, byte[] block, int at,
                            long[] tile) {
        for (int t = 0; t < 8; t++) {
            tile[t] = t < tokensInTile ? collectRounds(packed, in + t * rowBytes, groups) : 0L;
        }
        transpose8x8(tile);
        for (int j = 0; j < 8; j++) {
            BitPacking.LONGS.set(block, at + j * BLOCK_TOKENS, tile[j]);
        }
    }

    /**
     * Transposes an 8 x 8 byte matrix held as eight little-endian longs (row r, column j = byte lane
     * j of {@code rows[r]}) in place, by swapping 1-, 2- and 4-byte sub-blocks.
     */
    static void transpose8x8(long[] rows) {
        swap(rows, 0, 1, 8, M1);
        swap(rows, 2, 3, 8, M1);
        swap(rows, 4, 5, 8, M1);
        swap(rows, 6, 7, 8, M1);
        swap(rows, 0, 2, 16, M2);
        swap(rows, 1, 3, 16, M2);
        swap(rows, 4, 6, 16, M2);
        swap(rows, 5, 7, 16, M2);
        swap(rows, 0, 4, 32, M4);
        swap(rows, 1, 5, 32, M4);
        swap(rows, 2, 6, 32, M4);
        swap(rows, 3, 7, 32, M4);
    }

    /** Exchanges the high sub-blocks of row a with the low sub-blocks of row b. */
    private static void swap(long[] rows, int a, int b, int shift, long mask) {
        long t = ((rows[a] >>> shift) ^ rows[b]) & mask;
        rows[b] ^= t;
        rows[a] ^= t << shift;
    }

    /** One token's indices of 8 channels as byte lanes, from its M packed bytes of that channel group. */
    private long collectRounds(byte[] packed, int in, int groups) {
        long index = 0;
        for (int m = 0; m < rounds; m++, in += groups) {
            index = (index << 1) | BitPacking.spread(packed[in]);
        }
        return index;
    }

    /** Packs bit form (0/1 bytes) for the wire. */
    public byte[] pack(byte[] bits, int tokens) {
        checkLength("bits", bits.length, (long) tokens * bitsPerToken);
        byte[] packed = new byte[packedBytes(tokens)];
        BitPacking.pack(bits, 0, tokens * bitsPerToken, packed);
        return packed;
    }

    /** Unpacks wire bits to bit form (0/1 bytes). */
    public byte[] unpack(byte[] packed, int tokens) {
        checkLength("packed", packed.length, packedBytes(tokens));
        byte[] bits = new byte[tokens * bitsPerToken];
        BitPacking.unpack(packed, bits.length, bits, 0);
        return bits;
    }

    private void checkLatent(float[] latent, int tokens) {
        checkLength("latent", latent.length, (long) tokens * channels);
    }

    private static void checkLength(String what, int actual, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(what + " holds " + actual + " elements, expected " + expected);
        }
    }
}
