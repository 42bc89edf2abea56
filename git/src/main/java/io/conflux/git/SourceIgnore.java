package io.conflux.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.ignore.FastIgnoreRule;

/**
 * What a Flux source leaves out of its artifact ({@code github.com/fluxcd/pkg/sourceignore}): the default excludes
 * (VCS metadata, CI configuration, images and archives), the patterns of a {@code .sourceignore} file at the root of
 * the repository, and {@code GitRepository.spec.ignore} — all in gitignore syntax, matched with JGit's gitignore
 * rules; later patterns win, {@code !pattern} re-includes.
 */
public final class SourceIgnore {
    /** Flux's default exclusions for Git sources. */
    public static final List<String> DEFAULTS = List.of(".git/", ".gitignore", ".gitmodules", ".gitattributes",
            "*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip", ".github/", ".circleci/",
            ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml", "cloudbuild.yaml", "codeship-services.yml",
            "codeship-steps.yml", "**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml");

    private final List<FastIgnoreRule> rules;

    private SourceIgnore(List<FastIgnoreRule> rules) {
        this.rules = rules;
    }

    /**
     * @param root        the checked-out tree (its {@code .sourceignore}, if any, is read)
     * @param specIgnore  {@code spec.ignore}, newline-separated patterns, or null
     * @return the rules: defaults, then {@code .sourceignore}, then {@code spec.ignore}
     */
    public static SourceIgnore load(Path root, String specIgnore) {
        List<String> patterns = new ArrayList<>(DEFAULTS);
        Path file = root.resolve(".sourceignore");
        try {
            if (Files.isRegularFile(file)) {
                patterns.addAll(Files.readAllLines(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (specIgnore != null) {
            patterns.addAll(List.of(specIgnore.split("\n")));
        }
        List<FastIgnoreRule> rules = new ArrayList<>();
        for (String p : patterns) {
            String line = p.strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                rules.add(new FastIgnoreRule(line));
            }
        }
        return new SourceIgnore(rules);
    }

    /** @return whether {@code path} (relative, {@code /}-separated) is left out; the last matching rule decides */
    public boolean ignored(String path, boolean directory) {
        boolean ignored = false;
        for (FastIgnoreRule rule : rules) {
            if (rule.isMatch(path, directory)) {
                ignored = rule.getResult();
            }
        }
        return ignored;
    }

    /**
     * Deletes the ignored files and directories under {@code root}.
     *
     * @return how many files were removed
     */
    public int prune(Path root) {
        List<Path> remove = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString().replace('\\', '/');
                if (ignored(rel, Files.isDirectory(p)) || remove.stream().anyMatch(p::startsWith)) {
                    remove.add(p);
                }
            }
            int files = 0;
            List<Path> sorted = new ArrayList<>(remove);
            sorted.sort(Comparator.reverseOrder());
            for (Path p : sorted) {
                if (!Files.isDirectory(p)) {
                    files++;
                }
                Files.deleteIfExists(p);
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prune ignored files under " + root, e);
        }
    }
}
