package io.grnstream.refiner;

import io.grnstream.stage.StageRunner;

/** Runs one refiner worker until SIGTERM, then drains it: {@code RefinerMain --key=value ...}. */
public final class RefinerMain {
    private RefinerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        StageRunner.run("refiner-workers", RefinerSettings.definition(), args, RefinerWorker::new);
    }
}
