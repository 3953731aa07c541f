package io.grnstream.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.model.BundleFixtures;
import io.grnstream.model.InferenceRuntime;
import io.grnstream.model.ModelBundle;
import io.grnstream.model.Npy;
import io.grnstream.model.VaeNetwork;
import org.junit.jupiter.api.Test;

class ReconstructionTest {

    @Test
    void aClipRoundTripsThroughEncoderHbqAndDecoderInTheBundlesLayout() throws Exception {
        ModelBundle bundle = ModelBundle.load(BundleFixtures.BUNDLE);
        InferenceRuntime runtime = new InferenceRuntime("cpu", false, 1, 1);
        Npy clip = BundleFixtures.npy("vae_encoder.frames");
        try (VaeNetwork encoder = VaeNetwork.encoder(bundle, runtime); VaeNetwork decoder = VaeNetwork.decoder(bundle, runtime)) {
            Reconstruction reconstruction = new Reconstruction(encoder, decoder);
            Reconstruction.Result m4 = reconstruction.roundTrip(clip.floats(), clip.shape(), bundle.hbqRounds());
            assertEquals(m4.tokens() * bundle.bitsPerToken(), m4.bits().length);
            assertEquals(clip.floats().length, m4.decoded().length);
            assertTrue(m4.psnrDb() > 5 && m4.psnrDb() < 100, "PSNR " + m4.psnrDb() + " dB");
            assertEquals(20 * Math.log10(2 / 0.5), Reconstruction.psnr(new float[] {0f, 0f}, new float[] {0.5f, -0.5f}), 1e-9);
            assertEquals(10 * Math.log10(4e12), Reconstruction.psnr(new float[] {0.5f}, new float[] {0.5f}), 1e-9);
        }
    }
}
