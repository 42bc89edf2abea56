package io.conflux.renderer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.conflux.helm.KustomizeChartInflator;
import io.conflux.kustomize.ExecFunctions;
import io.conflux.kustomize.ExecPlugins;
import io.conflux.kustomize.Kustomizer;
import org.junit.jupiter.api.Test;

/**
 * A tenant's kustomization never runs a command in the renderer, and never inflates {@code helmCharts}: the renderer's
 * kustomize builds are {@link Kustomizer#create()} with load restrictions only, as Flux's kustomize-controller builds
 * with kustomize's plugins disabled ({@code PluginConfig: DisabledPluginConfig()} in fluxcd/pkg
 * kustomize/kustomize_generator.go, so no exec/KRM function or Go plugin and no {@code --enable-helm}). No class of the
 * renderer calls {@link Kustomizer#withExecFunctions}, {@link Kustomizer#withExecPlugins} (kustomize's legacy exec
 * plugins) or {@link Kustomizer#withChartInflator}, or touches {@link ExecFunctions}, {@link ExecPlugins} or
 * {@link KustomizeChartInflator}; what such kustomizations get is the build error naming the file
 * ({@code ExecFunctionsTest#theRendererKustomizerNeverStartsAnExecFunction} and
 * {@code ExecPluginsTest#withoutThePermissionAPluginIsRefusedAndNeverStarted} in the kustomize module).
 */
class NoTenantCommandsTest {
    private static final JavaClasses RENDERER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.conflux.renderer");

    @Test
    void theRendererNeverEnablesExecFunctionsOrHelmInKustomizeBuilds() {
        noClasses().should().callMethod(Kustomizer.class, "withExecFunctions", ExecFunctions.class)
                .orShould().callMethod(Kustomizer.class, "withExecPlugins", ExecPlugins.class)
                .orShould().callMethod(Kustomizer.class, "withChartInflator", io.conflux.kustomize.ChartInflator.class)
                .orShould().dependOnClassesThat().areAssignableTo(ExecFunctions.class)
                .orShould().dependOnClassesThat().areAssignableTo(ExecPlugins.class)
                .orShould().dependOnClassesThat().areAssignableTo(KustomizeChartInflator.class)
                .because("a tenant must not run commands through the renderer (Flux disables kustomize plugins)")
                .check(RENDERER);
    }
}
