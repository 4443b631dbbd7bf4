package dev.tollgate.deploy;

import java.util.Locale;
import java.util.Optional;

/**
 * A Tollgate property read on its own with {@code @ConfigProperty} instead of through a {@code @ConfigMapping}:
 * the reference lists these too, so that it names every {@code tollgate.*} key the code reads.
 *
 * @param name the property, e.g. {@code tollgate.plans.cache-ttl}
 * @param type how a value is written, as for a mapping's properties
 * @param defaultValue the annotation's {@code defaultValue}, if it has one
 * @param declaredIn the class that injects it
 * @param module the Maven module of that class
 * @param sourcePath its source file, relative to the repository root
 */
record ConfigReferenceSingle(String name, String type, Optional<String> defaultValue, String declaredIn,
        String module, String sourcePath) {

    /** The environment variable that sets this property. */
    String envVar() {
        return name.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }
}
