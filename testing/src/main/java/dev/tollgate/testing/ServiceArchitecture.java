package dev.tollgate.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.freeze.FreezingArchRule;
import java.util.List;

/**
 * The dependency rules of the suite: {@code common} depends on no service, no service depends on another, and
 * inside a service the {@code api} role never reaches past the {@code service} role into a {@code repository}.
 * <p>
 * Two rules guard a service's features ({@code dev.tollgate.<service>.<feature>..}): no cycles between features, and
 * nothing outside an {@code api} package depends on one (the edge depends on the core, never the reverse). What broke
 * them when they were introduced is recorded in the module's {@value #FROZEN} folder (ArchUnit's freeze store): those
 * known violations pass, any new one fails, and a violation fixed leaves the store at the next run (commit the
 * change). A known cycle is recognised by its path between features ({@link CycleMatcher}), so work inside it is
 * not a new violation; a new path is. Recording new violations on purpose takes {@code -Darchunit.freeze.refreeze=true}; do it
 * only with a
 * reason in the commit.
 */
public final class ServiceArchitecture {

    public static final List<String> SERVICES = List.of("auth", "billing", "generation", "metering", "account");
    private static final String ROOT = "dev.tollgate";
    /** The freeze store, relative to the module (the tests' working directory). */
    static final String FROZEN = "src/test/archunit-store";

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
        everyEndpointHasAPolicy(service).check(classes);
        frozen(featureCycles(service)).check(classes);
        frozen(apiOnlyAtTheEdge(service)).check(classes);
    }

    /**
     * Every resource method says who may call it ({@code @Access} on the method or its class): an endpoint added
     * without a policy fails here, before it could answer anyone (the policy filter refuses it at run time too).
     */
    static ArchRule everyEndpointHasAPolicy(String service) {
        String access = ROOT + ".common.security.Access";
        DescribedPredicate<JavaMethod> endpoint = DescribedPredicate.describe("are HTTP endpoints",
                method -> HTTP_METHODS.stream().anyMatch(method::isAnnotatedWith) && !isRestClient(method.getOwner()));
        return methods().that().areDeclaredInClassesThat().resideInAPackage(ROOT + "." + service + "..")
                .and(endpoint)
                .should(new ArchCondition<JavaMethod>("declare an @Access policy, on the method or its class") {
                    @Override
                    public void check(JavaMethod method, ConditionEvents events) {
                        if (!method.isAnnotatedWith(access) && !method.getOwner().isAnnotatedWith(access)) {
                            events.add(SimpleConditionEvent.violated(method, method.getFullName()
                                    + " answers HTTP without an @Access policy"));
                        }
                    }
                })
                .because("every credential means only what it says: each endpoint names the kinds it accepts")
                .allowEmptyShould(true);
    }

    /** A typed REST client's interface: it calls out, nothing calls in. */
    static boolean isRestClient(JavaClass type) {
        return type.isAnnotatedWith(REST_CLIENT);
    }

    private static final String REST_CLIENT = "org.eclipse.microprofile.rest.client.inject.RegisterRestClient";

    private static final List<String> HTTP_METHODS = List.of("jakarta.ws.rs.GET", "jakarta.ws.rs.POST",
            "jakarta.ws.rs.PUT", "jakarta.ws.rs.PATCH", "jakarta.ws.rs.DELETE", "jakarta.ws.rs.HEAD",
            "jakarta.ws.rs.OPTIONS");

    /** No feature package depends, through any path, on a package that depends back on it. */
    static ArchRule featureCycles(String service) {
        return slices().matching(ROOT + "." + service + ".(*)..").namingSlices("feature $1")
                .should().beFreeOfCycles()
                .because("a feature that needs another's internals belongs with it, or the shared part gets a package");
    }

    /** The {@code api} packages are the HTTP edge: the rest of the service never depends on their types. */
    static ArchRule apiOnlyAtTheEdge(String service) {
        String own = ROOT + "." + service + "..";
        return noClasses().that().resideInAPackage(own).and().resideOutsideOfPackage(own + "api..")
                .should().dependOnClassesThat().resideInAPackage(own + "api..")
                .because("use cases speak in their own types; resources map them to and from the wire")
                .allowEmptyShould(true);
    }

    private static ArchRule frozen(ArchRule rule) {
        ArchConfiguration configuration = ArchConfiguration.get();
        configuration.setProperty("freeze.store.default.path", FROZEN);
        configuration.setProperty("freeze.lineMatcher", CycleMatcher.class.getName());
        return FreezingArchRule.freeze(rule);
    }

    /** Checks that {@code common} depends on no service, nor on devstack or the test support. */
    public static void checkCommon() {
        checkLibrary("common");
    }

    /**
     * Checks that the library whose classes live in {@code dev.tollgate.<library>} depends on no service, nor on
     * devstack or the test support.
     */
    public static void checkLibrary(String library) {
        JavaClasses classes = productionClasses();
        String[] forbidden = SERVICES.stream().map(service -> ROOT + "." + service + "..").toArray(String[]::new);
        noClasses().that().resideInAPackage(ROOT + "." + library + "..")
                .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                .because("services depend on " + library + ", so it depends on none of them")
                .check(classes);
        noClasses().that().resideInAPackage(ROOT + "." + library + "..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".devstack..", ROOT + ".testing..")
                .check(classes);
    }
}
