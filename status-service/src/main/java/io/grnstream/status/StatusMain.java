package io.grnstream.status;

import io.grnstream.stage.StageRunner;

/** Runs the status service until SIGTERM: {@code StatusMain --key=value ...}. */
public final class StatusMain {
    private StatusMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        StageRunner.run("status", StatusSettings.definition(), args, StatusService::new);
    }
}
