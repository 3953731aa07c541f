package io.grnstream.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SigV4Test {

    /** AWS's published example for Signature V4 in the Authorization header: GET Object with a Range. */
    @Test
    void reproducesAwsPublishedGetObjectExample() {
        SigV4 signer = new SigV4("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1");
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "examplebucket.s3.amazonaws.com");
        headers.put("Range", "bytes=0-9");
        headers.put("x-amz-content-sha256", SigV4.EMPTY_SHA256);
        headers.put("x-amz-date", "20130524T000000Z");
        assertEquals("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                        + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                        + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
                signer.authorization("GET", "/test.txt", Map.of(), headers, SigV4.EMPTY_SHA256, "20130524T000000Z"));
    }

    @Test
    void encodesLikeS3() {
        assertEquals("a%20b/c~d", SigV4.encode("a b/c~d", false));
        assertEquals("a%2Fb", SigV4.encode("a/b", true));
    }
}
