package io.grnstream.build;

import io.grnstream.avro.Provenance;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What a stage writes into a request's provenance about itself: which instance did the work and
 * which software it ran. A replay compares the software when bits differ and every request field
 * is the same, so "the runtime changed" names the version that changed.
 */
public final class StageStamp {
    private static final String VERSION = readVersion();

    private StageStamp() {
    }

    /** This build's version, e.g. 0.1.0-SNAPSHOT. */
    public static String grnStreamVersion() {
        return VERSION;
    }

    /** "grn-stream VERSION; " followed by the stage's own parts, e.g. "onnxruntime 1.29.0 (CPU)". */
    public static String runtime(String stageParts) {
        return "grn-stream " + VERSION + "; " + stageParts;
    }

    /** The provenance with this stage's instance and runtime recorded, the rest unchanged. */
    public static Provenance stamp(Provenance provenance, String stage, String instanceId, String runtime) {
        Map<String, String> workers = new HashMap<>(provenance.getWorkers());
        workers.put(stage, instanceId);
        Map<String, String> runtimes = new HashMap<>(provenance.getRuntimes());
        runtimes.put(stage, runtime);
        return Provenance.newBuilder(provenance).setWorkers(workers).setRuntimes(runtimes).build();
    }

    private static String readVersion() {
        try (InputStream in = StageStamp.class.getResourceAsStream("grn-stream.properties")) {
            if (in == null) {
                throw new IllegalStateException("grn-stream.properties is missing from the build");
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            if (v.isEmpty() || v.startsWith("${")) {
                throw new IllegalStateException("grn-stream.properties was not filtered: version=" + v);
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
