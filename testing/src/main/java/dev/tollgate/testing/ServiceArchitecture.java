package dev.tollgate.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;

/**
 * The dependency rules of the suite: {@code common} depends on no service, no service depends on another, and
 * inside a service the {@code api} role never reaches past the {@code service} role into a {@code repository}.
 */
public final class ServiceArchitecture {

    public static final List<String> SERVICES = List.of("auth", "billing", "generation", "metering", "account");
    private static final String ROOT = "dev.tollgate";

    private ServiceArchitecture() {
    }

    /** The production classes under {@code dev.tollgate} on the classpath (test classes left out). */
    public static JavaClasses productionClasses() {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    /** Checks the rules for one service's classes; fails with ArchUnit's list of the offending dependencies. */
    public static void checkService(String service) {
        JavaClasses classes = productionClasses();
        String own = ROOT + "." + service + "..";
        for (String other : SERVICES) {
            if (!other.equals(service)) {
                noClasses().that().resideInAPackage(own)
                        .should().dependOnClassesThat().resideInAPackage(ROOT + "." + other + "..")
                        .because("services talk through events and internal endpoints, never through each other's code")
                        .check(classes);
            }
        }
        noClasses().that().resideInAPackage(own)
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".devstack..", ROOT + ".testing..")
                .because("devstack and the test support are for tests and the local run only")
                .check(classes);
        noClasses().that().resideInAPackage(own + "api..")
                .should().dependOnClassesThat().resideInAPackage(own + "repository..")
                .because("resources are thin: they call a service method, which owns the transaction")
                .allowEmptyShould(true)
                .check(classes);
    }

    /** Checks that {@code common} depends on no service, nor on devstack or the test support. */
    public static void checkCommon() {
        JavaClasses classes = productionClasses();
        String[] forbidden = SERVICES.stream().map(service -> ROOT + "." + service + "..").toArray(String[]::new);
        noClasses().that().resideInAPackage(ROOT + ".common..")
                .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                .because("every service depends on common, so common depends on none of them")
                .check(classes);
        noClasses().that().resideInAPackage(ROOT + ".common..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".devstack..", ROOT + ".testing..")
                .check(classes);
    }
}
