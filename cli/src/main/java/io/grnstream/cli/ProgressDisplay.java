package io.grnstream.cli;

import io.grnstream.avro.RequestEvent;
import java.io.PrintStream;

/** One status line per request: stage, step k/N with a bar, entropy and ETA, redrawn in place on a terminal. */
final class ProgressDisplay {
    private final PrintStream out;
    private final boolean terminal;
    private String lastLine = "";

    ProgressDisplay(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    synchronized void show(RequestEvent e) {
        StringBuilder line = new StringBuilder();
        line.append(String.format("%-11s %-10s", e.getStatus(), e.getStage() == null ? "" : e.getStage()));
        if (e.getStep() != null && e.getTotalSteps() != null && e.getTotalSteps() > 0) {
            int width = 24;
            int filled = (int) Math.round(width * Math.min(1.0, e.getStep() / (double) e.getTotalSteps()));
            line.append(" [").append("#".repeat(filled)).append(".".repeat(width - filled)).append("] ")
                .append(e.getStep()).append('/').append(e.getTotalSteps());
        } else if (e.getStep() != null && e.getStep() > 0) {
            line.append(" step ").append(e.getStep()).append("/?");
        }
        if (e.getEntropy() != null) {
            line.append(String.format("  entropy %.3f", e.getEntropy()));
        }
        if (e.getEtaMs() != null && e.getEtaMs() > 0) {
            line.append(String.format("  eta %.1fs", e.getEtaMs() / 1000.0));
        }
        if (e.getError() != null) {
            line.append("  ").append(e.getError().getType()).append(": ").append(e.getError().getMessage());
        }
        String text = line.toString();
        if (text.equals(lastLine)) {
            return;
        }
        if (terminal) {
            out.print("\r" + text + " ".repeat(Math.max(0, lastLine.length() - text.length())));
        } else {
            out.println(text);
        }
        out.flush();
        lastLine = text;
    }

    synchronized void end() {
        if (terminal && !lastLine.isEmpty()) {
            out.println();
        }
    }
}
