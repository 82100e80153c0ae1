package io.jserve.tests.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module rules of DESIGN.md, checked on the compiled classes: the leaves (tokenizer, kvcache, kernels)
 * import no project module; the scheduler sees only kvcache; the engine is the only module that wires them
 * and never sees the API or the CUDA backend; the API never touches KV bookkeeping or kernels; no cycles.
 */
class ModuleRulesTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jserve");
    }

    @Test
    void leavesImportNoProjectModule() {
        noClasses().that().resideInAPackage("io.jserve.tokenizer..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jserve.kvcache..", "io.jserve.kernels..",
                        "io.jserve.scheduler..", "io.jserve.engine..", "io.jserve.cuda..", "io.jserve.api..")
                .check(classes);
        noClasses().that().resideInAPackage("io.jserve.kvcache..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jserve.tokenizer..", "io.jserve.kernels..",
                        "io.jserve.scheduler..", "io.jserve.engine..", "io.jserve.cuda..", "io.jserve.api..")
                .check(classes);
        noClasses().that().resideInAPackage("io.jserve.kernels..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jserve.tokenizer..", "io.jserve.kvcache..",
                        "io.jserve.scheduler..", "io.jserve.engine..", "io.jserve.cuda..", "io.jserve.api..")
                .check(classes);
    }

    @Test
    void theSchedulerSeesOnlyKvBookkeeping() {
        noClasses().that().resideInAPackage("io.jserve.scheduler..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jserve.tokenizer..", "io.jserve.kernels..",
                        "io.jserve.engine..", "io.jserve.cuda..", "io.jserve.api..")
                .check(classes);
    }

    @Test
    void theEngineNeverSeesTheApiOrTheCudaBackend() {
        noClasses().that().resideInAPackage("io.jserve.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jserve.api..", "io.jserve.cuda..")
                .check(classes);
        noClasses().that().resideInAPackage("io.jserve.cuda..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jserve.engine..", "io.jserve.scheduler..",
                        "io.jserve.kvcache..", "io.jserve.tokenizer..", "io.jserve.api..")
                .check(classes);
    }

    @Test
    void theApiNeverTouchesKvBookkeepingOrKernels() {
        noClasses().that().resideInAPackage("io.jserve.api..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jserve.kvcache..", "io.jserve.kernels..",
                        "io.jserve.cuda..")
                .check(classes);
    }

    @Test
    void modulesHaveNoCycles() {
        slices().matching("io.jserve.(*)..").should().beFreeOfCycles().check(classes);
    }
}
