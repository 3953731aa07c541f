package io.grnstream.encoder;

import io.grnstream.stage.StageRunner;

/** Runs the decoder stage until SIGTERM: {@code DecoderMain --key=value ...}. */
public final class DecoderMain {
    private DecoderMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        StageRunner.run("encoder-service", DecoderSettings.definition(), args, DecoderService::new);
    }
}
