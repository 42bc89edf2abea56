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
    void enableHelmInflatesHelmChartsAndWithoutItTheyFailNamingTheFile(@TempDir Path root) throws IOException {
        Path chart = Files.createDirectories(root.resolve("app/charts/hello/templates"));
        Files.writeString(chart.getParent().resolve("Chart.yaml"), "apiVersion: v2\nname: hello\nversion: 0.1.0\n");
        Files.writeString(chart.getParent().resolve("values.yaml"), "greeting: hi\n");
        Files.writeString(chart.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                + "  name: {{ .Release.Name }}-cm\ndata:\n  greeting: {{ .Values.greeting }}\n");
        Files.writeString(root.resolve("app/kustomization.yaml"),
                "helmCharts:\n- name: hello\n  releaseName: r\n  valuesInline:\n    greeting: hello\n");

        Files.writeString(chart.resolve("kube.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kube\n"
                + "data:\n  version: {{ .Capabilities.KubeVersion.Version | quote }}\n"
                + "  v9: {{ .Capabilities.APIVersions.Has \"example.com/v9\" | quote }}\n");
        Run withHelm = run("kustomize", "build", "--enable-helm", root.resolve("app").toString());
        Run withFlags = run("kustomize", "build", "--enable-helm", "--helm-kube-version=1.29.3",
                "--helm-api-versions=example.com/v9", "--helm-debug", root.resolve("app").toString());
        Run withoutHelm = run("kustomize", "build", root.resolve("app").toString());

        assertThat(withHelm.code()).as(withHelm.err()).isZero();
        assertThat(withHelm.out()).isEqualTo("apiVersion: v1\ndata:\n  v9: \"false\"\n  version: v1.35.0\nkind: ConfigMap\n"
                + "metadata:\n  name: kube\n---\napiVersion: v1\ndata:\n  greeting: hello\nkind: ConfigMap\nmetadata:\n"
                + "  name: r-cm\n");
        assertThat(withFlags.code()).as(withFlags.err()).isZero();
        assertThat(withFlags.out()).contains("  v9: \"true\"\n  version: v1.29.3\n");
        assertThat(withFlags.err()).contains("--helm-debug has no effect");
        assertThat(withoutHelm.code()).isEqualTo(1);
        assertThat(withoutHelm.err()).contains("kustomization.yaml").contains("must specify --enable-helm");
    }

    @Test
    void execFunctionsRunOnlyWithBothAlphaPluginsAndExecFlags(@TempDir Path root) throws IOException {
        Path app = Files.createDirectories(root.resolve("app"));
        Path marker = root.resolve("ran");
        Path script = app.resolve("gen.sh");
        Files.writeString(script, "#!/bin/sh\ntouch '" + marker + "'\n"
                + "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: generated\\n'\n");
        script.toFile().setExecutable(true);
        Files.writeString(app.resolve("gen.yaml"), "apiVersion: example.com/v1\nkind: Gen\nmetadata:\n  name: g\n"
                + "  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./gen.sh\n");
        Files.writeString(app.resolve("kustomization.yaml"), "generators:\n- gen.yaml\n");

        Run execOnly = run("kustomize", "build", "--enable-exec", app.toString());
        assertThat(execOnly.code()).isEqualTo(1);
        assertThat(execOnly.err()).contains("exec functions are not enabled");
        assertThat(marker).doesNotExist();

        Run both = run("kustomize", "build", "--enable-alpha-plugins", "--enable-exec", app.toString());
        assertThat(both.code()).as(both.err()).isZero();
        assertThat(both.out()).isEqualTo("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: generated\n");
        assertThat(marker).exists();
    }

    @Test
    void buildsARemoteRootAsKustomizeBuildUrl(@TempDir Path root) throws Exception {
        Path repo = Files.createDirectories(root.resolve("repo"));
        try (org.eclipse.jgit.api.Git g = org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile())
                .setInitialBranch("main").call()) {
            Files.createDirectories(repo.resolve("base"));
            Files.writeString(repo.resolve("base/kustomization.yaml"), "namePrefix: r-\nresources:\n- cm.yaml\n");
            Files.writeString(repo.resolve("base/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
            g.add().addFilepattern(".").call();
            g.commit().setMessage("v1").setAuthor("t", "t@t").setCommitter("t", "t@t").call();
            g.tag().setName("v1").call();
        }

        Run built = run("kustomize", "build", "file://" + repo + "//base?ref=v1");

        assertThat(built.code()).as(built.err()).isZero();
        assertThat(built.out()).isEqualTo("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r-cm\n");
    }

    @Test
    void legacyExecPluginsAreRefusedWithoutAlphaPlugins(@TempDir Path root) throws IOException {
        Path app = Files.createDirectories(root.resolve("app"));
        Files.writeString(app.resolve("gen.yaml"), "apiVersion: example.com/v1\nkind: Gen\nmetadata:\n  name: g\n");
        Files.writeString(app.resolve("kustomization.yaml"), "generators:\n- gen.yaml\n");

        Run refused = run("kustomize", "build", app.toString());

        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("external plugins disabled; unable to load external plugin 'Gen'")
                .contains("--enable-alpha-plugins");
    }

    @Test
    void helmCommandIsRefused(@TempDir Path root) throws IOException {
        Path overlay = overlayReadingOutside(root);

        Run refused = run("kustomize", "build", "--enable-helm", "--helm-command=/usr/bin/helm", overlay.toString());

        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).contains("--helm-command is not supported");
        assertThat(refused.err()).contains("embedded Helm library");
    }
}
