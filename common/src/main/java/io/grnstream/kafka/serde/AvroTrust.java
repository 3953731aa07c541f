package io.grnstream.kafka.serde;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12.2 refuses to instantiate generated classes unless their package is trusted. The build
 * sets {@code org.apache.avro.SERIALIZABLE_PACKAGES} for tests; this does the same for any JVM
 * that uses our serdes, whatever its command line.
 */
public final class AvroTrust {
    public static final String GENERATED_PACKAGE = "io.grnstream.avro";
    private static volatile boolean installed;

    private AvroTrust() {
    }

    public static void install() {
        if (installed) {
            return;
        }
        synchronized (AvroTrust.class) {
            if (!installed) {
                ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
                ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous,
                        type -> type.getName().startsWith(GENERATED_PACKAGE + ".")));
                installed = true;
            }
        }
    }
}
