package dev.tollgate.testing;

import com.tngtech.archunit.library.freeze.ViolationLineMatcher;

/**
 * How the freeze store recognises a violation it already knows. A cycle between features is known by its path
 * ("apikey -> tenant -> token -> apikey"), whatever classes and members make it up today: adding a constructor
 * parameter to a class inside a frozen cycle is not a new cycle. Any other violation is known by its text with
 * line numbers left out, as ArchUnit does by default.
 */
public final class CycleMatcher implements ViolationLineMatcher {

    private static final String CYCLE = "Cycle detected:";
    private static final String DETAILS = "1. Dependencies of";

    @Override
    public boolean matches(String stored, String actual) {
        if (stored.startsWith(CYCLE) && actual.startsWith(CYCLE)) {
            return path(stored).equals(path(actual));
        }
        return withoutLineNumbers(stored).equals(withoutLineNumbers(actual));
    }

    private static String path(String violation) {
        int details = violation.indexOf(DETAILS);
        String path = details < 0 ? violation : violation.substring(0, details);
        return path.replaceAll("[\\s\\\\]+", " ").trim();
    }

    private static String withoutLineNumbers(String violation) {
        return violation.replaceAll("\\.java:\\d+\\)", ".java)");
    }
}
