package io.grnstream.notifier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.VideoReady;
import io.grnstream.kafka.RequestEventJson;
import io.grnstream.kafka.VideoReadyJson;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** What a webhook says, where it may go, and how it is signed. */
final class Webhook {
    static final String VIDEO_READY = "video.ready";
    static final String REQUEST_ENDED = "request.ended";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Webhook() {
    }

    /** Why a URL may not be called, or null when it may. */
    static String refusal(String url, List<String> allowedPrefixes) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return "not a URL: " + e.getMessage();
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            return "not an http or https URL with a host";
        }
        if (!allowedPrefixes.isEmpty() && allowedPrefixes.stream().noneMatch(url::startsWith)) {
            return "not under an allowed prefix (notifier.webhook.allowed.prefixes)";
        }
        return null;
    }

    /** The body for a finished video: where it is and what made it, never the bytes. */
    static String videoReady(VideoReady v) {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", VIDEO_READY);
        o.setAll(VideoReadyJson.tree(v));
        return o.toString();
    }

    /** The body for a request that ended without a video: its terminal event. */
    static String requestEnded(RequestEvent e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", REQUEST_ENDED);
        o.put("requestId", e.getRequestId());
        o.put("status", e.getStatus().name());
        o.set("event", RequestEventJson.tree(e));
        return o.toString();
    }

    /** "sha256=HEX" of HMAC-SHA256(secret, timestamp + "." + body): receivers recompute it to trust a call. */
    static String signature(String secret, long timestampSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
