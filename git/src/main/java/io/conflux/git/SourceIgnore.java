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
 * (VCS metadata, CI configuration, images and archives), the patterns of every {@code .sourceignore} file in the
 * tree — the root's, then each subdirectory's, depth first in name order, a subdirectory's patterns applying only below
 * it and relative to it, as {@code sourceignore.LoadIgnorePatterns} loads them with their domain — and
 * {@code GitRepository.spec.ignore} — all in gitignore syntax, matched with JGit's gitignore rules; later patterns
 * win, {@code !pattern} re-includes.
 */
public final class SourceIgnore {
    /** Flux's default exclusions for Git sources. */
    public static final List<String> DEFAULTS = List.of(".git/", ".gitignore", ".gitmodules", ".gitattributes",
            "*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip", ".github/", ".circleci/",
            ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml", "cloudbuild.yaml", "codeship-services.yml",
            "codeship-steps.yml", "**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml");

    private static final String FILE = ".sourceignore";

    /** A pattern and the directory it applies in ({@code ""} for the root, else {@code dir/} with a slash). */
    private record Rule(String domain, FastIgnoreRule rule) {
    }

    private final List<Rule> rules;

    private SourceIgnore(List<Rule> rules) {
        this.rules = rules;
    }

    /**
     * @param root        the checked-out tree (its {@code .sourceignore} files, if any, are read)
     * @param specIgnore  {@code spec.ignore}, newline-separated patterns, or null
     * @return the rules: defaults, then the {@code .sourceignore} files, then {@code spec.ignore}
     * @throws UncheckedIOException when the tree cannot be read
     */
    public static SourceIgnore load(Path root, String specIgnore) {
        List<Rule> rules = new ArrayList<>();
        addPatterns(rules, "", DEFAULTS);
        try {
            loadFiles(rules, root, root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the .sourceignore files under " + root, e);
        }
        if (specIgnore != null) {
            addPatterns(rules, "", List.of(specIgnore.split("\n")));
        }
        return new SourceIgnore(rules);
    }

    /** Reads {@code dir}'s {@code .sourceignore}, then its subdirectories' (name order, {@code .git} skipped). */
    private static void loadFiles(List<Rule> rules, Path root, Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        String domain = dir.equals(root) ? "" : root.relativize(dir).toString().replace('\\', '/') + "/";
        if (Files.isRegularFile(file)) {
            addPatterns(rules, domain, Files.readAllLines(file));
        }
        List<Path> subdirectories;
        try (Stream<Path> children = Files.list(dir)) {
            subdirectories = children.filter(Files::isDirectory)
                    .filter(d -> !d.getFileName().toString().equals(".git"))
                    .sorted(Comparator.comparing(d -> d.getFileName().toString())).toList();
        }
        for (Path subdirectory : subdirectories) {
            loadFiles(rules, root, subdirectory);
        }
    }

    private static void addPatterns(List<Rule> rules, String domain, List<String> patterns) {
        for (String p : patterns) {
            String line = p.strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                rules.add(new Rule(domain, new FastIgnoreRule(line)));
            }
        }
    }

    /** @return whether {@code path} (relative, {@code /}-separated) is left out; the last matching rule decides */
    public boolean ignored(String path, boolean directory) {
        boolean ignored = false;
        for (Rule rule : rules) {
            if (path.startsWith(rule.domain()) && path.length() > rule.domain().length()
                    && rule.rule().isMatch(path.substring(rule.domain().length()), directory)) {
                ignored = rule.rule().getResult();
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
