package io.grnstream.assembler;

import io.grnstream.stage.StageRunner;

/** Runs the assembler until SIGTERM: {@code AssemblerMain --key=value ...}. */
public final class AssemblerMain {
    private AssemblerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        StageRunner.run("assembler", AssemblerSettings.definition(), args, AssemblerService::new);
    }
}
