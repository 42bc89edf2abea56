package io.conflux.service.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

/**
 * ArchUnit rules for the flow consume → decide/domain → persist → produce of docs/service-conventions.md, shipped
 * in service-common's test-jar. A service's {@code ArchitectureTest} calls {@link #check(String)} with its package
 * name ({@code applier}, {@code renderer}, {@code receiver}, {@code notifier}).
 */
public final class FlowRules {
    private FlowRules() {
    }

    /**
     * Classes of {@code io.conflux.<service>..} outside its {@code consume}, {@code produce} and {@code api}
     * packages must not depend on classes in any {@code ..consume..} or {@code ..produce..} package: the domain
     * is called by consumers and returns what producers publish, never the other way round.
     *
     * @param service the segment after {@code io.conflux.}
     * @return the rule, to {@code check} against imported classes
     */
    public static ArchRule domainDoesNotReachConsumeOrProduce(String service) {
        String root = "io.conflux." + service;
        return noClasses().that().resideInAPackage(root + "..")
                .and().resideOutsideOfPackages(root + ".consume..", root + ".produce..", root + ".api..")
                .should().dependOnClassesThat().resideInAnyPackage("..consume..", "..produce..")
                .because("packages follow consume -> decide -> persist -> produce (docs/service-conventions.md)");
    }

    /** @return the main (non-test) classes of {@code io.conflux.<service>} on the class path */
    public static JavaClasses mainClassesOf(String service) {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.conflux." + service);
    }

    /**
     * Checks every rule of this class against the service's main classes.
     *
     * @throws AssertionError listing each violation (class and dependency)
     */
    public static void check(String service) {
        domainDoesNotReachConsumeOrProduce(service).check(mainClassesOf(service));
    }
}
