package io.grnstream.notifier;

import io.grnstream.stage.StageRunner;

/** Runs the notifier until SIGTERM: {@code NotifierMain --key=value ...}. */
public final class NotifierMain {
    private NotifierMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        StageRunner.run("notifier", NotifierSettings.definition(), args, NotifierService::new);
    }
}
