package io.grnstream.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grnstream.geometry.VideoGeometry;
import io.grnstream.model.BundleFixtures;
import io.grnstream.model.InferenceRuntime;
import io.grnstream.model.ModelBundle;
import io.grnstream.model.Npy;
import io.grnstream.model.VaeNetwork;
import org.junit.jupiter.api.Test;

class LatentFrameDecoderTest {

    @Test
    void decodingOneLatentFrameAtATimeMatchesThePythonWholeClipDecode() throws Exception {
        ModelBundle bundle = ModelBundle.load(BundleFixtures.BUNDLE);
        Npy z = BundleFixtures.npy("vae_decoder.z");
        float[] expected = BundleFixtures.npy("vae_decoder.frames").floats();   // [1, 3, F, H, W]
        VideoGeometry d0 = bundle.defaultGeometry();
        int latentFrames = (int) z.shape()[2];
        VideoGeometry g = new VideoGeometry(1 + d0.temporalStride() * (latentFrames - 1), d0.fps(), latentFrames,
                d0.latentHeight(), d0.latentWidth(), d0.channels(), d0.spatialStride(), d0.temporalStride());
        int frames = g.frames();
        int pixels = g.pixelWidth() * g.pixelHeight();
        double worst = 0;
        int produced = 0;
        try (VaeNetwork vae = VaeNetwork.decoder(bundle, new InferenceRuntime("cpu", false, 1, 1))) {
            LatentFrameDecoder decoder = new LatentFrameDecoder(vae);
            for (int t = 0; t < g.latentFrames(); t++) {
                LatentFrameDecoder.DecodedFrames d = decoder.decode(z.floats(), g, t);
                assertEquals(produced, d.firstFrame(), "frames arrive in order without gaps");
                for (int ch = 0; ch < 3; ch++) {
                    for (int f = 0; f < d.frameCount(); f++) {
                        for (int p = 0; p < pixels; p++) {
                            float java = d.chw()[(ch * d.frameCount() + f) * pixels + p];
                            float torch = expected[(ch * frames + d.firstFrame() + f) * pixels + p];
                            worst = Math.max(worst, Math.abs(java - torch));
                        }
                    }
                }
                produced += d.frameCount();
            }
        }
        assertEquals(frames, produced, "1 + 4 (T' - 1) frames");
        assertEquals(0.0, worst, 1e-4, "max |streamed java - torch| = " + worst);
    }
}
