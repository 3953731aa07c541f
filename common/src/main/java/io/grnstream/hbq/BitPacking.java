package io.grnstream.hbq;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Bits held one per byte (0 or 1) to and from packed bytes, eight to a byte, most significant bit
 * first: bit i lives in byte i / 8 at bit position 7 - i % 8. Eight bits move per step through a
 * multiply that gathers (or a mask that spreads) one bit per byte of a long.
 */
public final class BitPacking {
    static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Multiplier taking bit 0 of byte j of a long to bit 63 - j: eight 0/1 bytes become one MSB-first byte. */
    static final long GATHER = 0x8040201008040201L;
    /** After replicating a byte into all eight lanes, lane j keeps bit 7 - j. */
    static final long SPREAD_MASK = 0x0102040810204080L;
    static final long LOW_BITS = 0x0101010101010101L;
    private static final long LOW_SEVEN = 0x7F7F7F7F7F7F7F7FL;

    private BitPacking() {
    }

    public static int packedLength(long bits) {
        long bytes = (bits + 7) >>> 3;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(bits + " bits do not fit one byte array");
        }
        return (int) bytes;
    }

    /** Packs {@code count} 0/1 bytes from {@code bits[from..]} into {@code packed}, MSB first; trailing bits are 0. */
    public static void pack(byte[] bits, int from, int count, byte[] packed) {
        if (packed.length < packedLength(count)) {
            throw new IllegalArgumentException("packed buffer of " + packed.length + " bytes is too small for " + count + " bits");
        }
        int whole = count >>> 3;
        for (int b = 0; b < whole; b++) {
            packed[b] = gather((long) LONGS.get(bits, from + (b << 3)));
        }
        int rest = count & 7;
        if (rest != 0) {
            int value = 0;
            for (int i = 0; i < rest; i++) {
                value |= (bits[from + (whole << 3) + i] & 1) << (7 - i);
            }
            packed[whole] = (byte) value;
        }
    }

    /** Unpacks {@code count} bits into 0/1 bytes at {@code bits[to..]}. */
    public static void unpack(byte[] packed, int count, byte[] bits, int to) {
        if (packed.length < packedLength(count)) {
            throw new IllegalArgumentException("packed data of " + packed.length + " bytes is too short for " + count + " bits");
        }
        int whole = count >>> 3;
        for (int b = 0; b < whole; b++) {
            LONGS.set(bits, to + (b << 3), spread(packed[b]));
        }
        for (int i = whole << 3; i < count; i++) {
            bits[to + i] = (byte) ((packed[i >>> 3] >>> (7 - (i & 7))) & 1);
        }
    }

    /** Bit 0 of each byte lane j of {@code lanes} becomes bit 7 - j of the result. */
    static byte gather(long lanes) {
        return (byte) (((lanes & LOW_BITS) * GATHER) >>> 56);
    }

    /** Bit 7 - j of {@code b} becomes byte lane j (0 or 1) of the result. */
    static long spread(byte b) {
        long x = ((b & 0xFFL) * LOW_BITS) & SPREAD_MASK;
        // A lane is non-zero exactly when its kept bit was set; fold that to 0/1.
        return ((((x & LOW_SEVEN) + LOW_SEVEN) | x) >>> 7) & LOW_BITS;
    }
}
