package dev.tollgate.deploy;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One {@code @ConfigMapping} interface as docs/configuration.md describes it: its prefix, where it is declared and
 * every property it maps, with the nested groups and map entries flattened into full property names.
 *
 * @param prefix the mapping's prefix, e.g. {@code tollgate.gate}
 * @param interfaceName the interface's simple name, e.g. {@code GateConfig}
 * @param module the Maven module that declares it, e.g. {@code common} or {@code billing-service}
 * @param sourcePath the source file, relative to the repository root, with {@code /} separators
 * @param description the first sentence of the interface's Javadoc, empty without one
 * @param properties the properties in declaration order, groups expanded where they are declared
 */
record ConfigReferenceMapping(String prefix, String interfaceName, String module, String sourcePath,
        String description, List<Property> properties) {

    /**
     * One property of a mapping.
     *
     * @param name the full name, map keys written {@code <name>}, e.g.
     *        {@code tollgate.generation.providers.<name>.model}
     * @param type how a value is written: {@code string}, {@code duration}, {@code comma-separated strings}, ...
     * @param defaultValue the {@code @WithDefault} value, if there is one
     * @param optional whether the method returns an {@code Optional}, so that leaving it unset is allowed
     * @param inMap whether the name holds a {@code <name>} segment (a map entry exists only when it is configured)
     * @param description the first sentence of the method's Javadoc, empty without one
     * @param declaredAt where the method is declared, as {@code Interface.Nested.method()}, for messages
     * @param line the method's line in its source file, for messages
     */
    record Property(String name, String type, Optional<String> defaultValue, boolean optional, boolean inMap,
            String description, String declaredAt, int line) {

        /** The environment variable that sets this property: upper case, every other character an underscore. */
        String envVar() {
            StringBuilder env = new StringBuilder();
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c == '<') {
                    int end = name.indexOf('>', i);
                    env.append('<').append(name.substring(i + 1, end).toUpperCase(Locale.ROOT)).append('>');
                    i = end;
                } else if (Character.isLetterOrDigit(c)) {
                    env.append(Character.toUpperCase(c));
                } else {
                    env.append('_');
                }
            }
            return env.toString();
        }
    }
}
