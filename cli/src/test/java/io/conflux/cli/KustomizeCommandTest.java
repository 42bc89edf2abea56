package io.conflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conflux kustomize build} with kustomize's flags: --load-restrictor, --enable-helm, --helm-command. */
class KustomizeCommandTest {

    /** What one run printed and returned. */
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** {@code root/overlay} whose kustomization names {@code ../outside.yaml}, a file outside its root. */
    private static Path overlayReadingOutside(Path root) throws IOException {
        Path overlay = Files.createDirectories(root.resolve("overlay"));
        Files.writeString(root.resolve("outside.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside\n");
        Files.writeString(overlay.resolve("kustomization.yaml"), "resources:\n- ../outside.yaml\nnamePrefix: p-\n");
        return overlay;
    }

    @Test
    void rootOnlyIsTheDefaultAndRefusesAFileOutsideTheRoot(@TempDir Path root) throws IOException {
        Path overlay = overlayReadingOutside(root);

        Run byDefault = run("kustomize", "build", overlay.toString());
        Run rootOnly = run("kustomize", "build", "--load-restrictor=LoadRestrictionsRootOnly", overlay.toString());

        assertThat(byDefault.code()).isEqualTo(1);
        assertThat(byDefault.err()).contains("outside.yaml");
        assertThat(rootOnly.code()).isEqualTo(1);
        assertThat(rootOnly.err()).isEqualTo(byDefault.err());
    }

    @Test
    void loadRestrictionsNoneReadsAFileOutsideTheRoot(@TempDir Path root) throws IOException {
        Path overlay = overlayReadingOutside(root);

        Run none = run("kustomize", "build", "--load-restrictor", "LoadRestrictionsNone", overlay.toString());

        assertThat(none.err()).isEmpty();
        assertThat(none.code()).isZero();
        assertThat(none.out()).isEqualTo("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p-outside\n");
    }

    @Test
    void anIllegalLoadRestrictorIsRefusedWithKustomizesMessage(@TempDir Path root) throws IOException {
        Path overlay = overlayReadingOutside(root);

        Run bad = run("kustomize", "build", "--load-restrictor=none", overlay.toString());

        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.out()).isEmpty();
        assertThat(bad.err()).contains("illegal flag value --load-restrictor none; legal values: "
                + "[LoadRestrictionsRootOnly LoadRestrictionsNone]");
    }

    @Test
    void enableHelmIsAcceptedAndHelmChartsStillFailNamingTheFile(@TempDir Path root) throws IOException {
        Path plain = Files.createDirectories(root.resolve("plain"));
        Files.writeString(plain.resolve("kustomization.yaml"), "configMapGenerator:\n- name: c\n  literals:\n  - a=b\n");
        Path charts = Files.createDirectories(root.resolve("charts"));
        Files.writeString(charts.resolve("kustomization.yaml"), "helmCharts:\n- name: podinfo\n  releaseName: p\n");

        Run withoutCharts = run("kustomize", "build", "--enable-helm", plain.toString());
        Run withCharts = run("kustomize", "build", "--enable-helm", charts.toString());

        assertThat(withoutCharts.code()).isZero();
        assertThat(withoutCharts.out()).contains("name: c-");
        assertThat(withCharts.code()).isEqualTo(1);
        assertThat(withCharts.err()).contains("kustomization.yaml").contains("helmCharts are not supported");
    }

    @Test
    void helmCommandIsRefused(@TempDir Path root) throws IOException {
        Path overlay = overlayReadingOutside(root);

        Run refused = run("kustomize", "build", "--enable-helm", "--helm-command=/usr/bin/helm", overlay.toString());

        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).contains("--helm-command is not supported");
    }
}
