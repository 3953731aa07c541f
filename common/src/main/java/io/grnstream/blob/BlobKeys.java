package io.grnstream.blob;

import io.grnstream.errors.InvalidRequestException;
import java.util.regex.Pattern;

/**
 * Request ids become blob key prefixes and file names, so they are restricted to a safe alphabet:
 * 1-128 characters of letters, digits, '-', '_' and '.', not starting with '.', which keeps every
 * key inside its request's prefix (no "..", no "/", no absolute paths).
 */
public final class BlobKeys {
    public static final int MAX_REQUEST_ID_LENGTH = 128;
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_\\-][A-Za-z0-9_.\\-]{0,127}");

    private BlobKeys() {
    }

    public static String validRequestId(String requestId) {
        if (requestId == null || !SAFE.matcher(requestId).matches()) {
            throw new InvalidRequestException("requestId", "must be 1-" + MAX_REQUEST_ID_LENGTH
                    + " characters of letters, digits, '-', '_' or '.', not starting with '.', got "
                    + (requestId == null ? "null" : "'" + abbreviate(requestId) + "'"));
        }
        return requestId;
    }

    /** True when {@link #validRequestId} would accept it. */
    public static boolean isValidRequestId(String requestId) {
        return requestId != null && SAFE.matcher(requestId).matches();
    }

    public static String frames(String requestId, int firstFrame, int lastFrame) {
        return validRequestId(requestId) + "/frames/" + firstFrame + "-" + lastFrame;
    }

    public static String video(String requestId) {
        return validRequestId(requestId) + "/video.mp4";
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 40 ? printable : printable.substring(0, 40) + "...";
    }
}
