package io.conflux.renderer.generate;

import io.conflux.model.source.ArtifactGeneratorSpec.CopyOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Applies an output artifact's copy operations, with the {@code cp}-like semantics of fluxcd/source-watcher's
 * {@code internal/builder} ({@code docs/spec/v1beta1/artifactgenerators.md}, "Copy Operations"):
 * <ul>
 *   <li>{@code from} is {@code @<alias>/<path or glob>}, {@code to} is {@code @artifact/<path>}; operations run in
 *       order, later ones overwriting earlier files;</li>
 *   <li>without a glob character: a file goes to {@code to} (into it when {@code to} ends with {@code /} or is an
 *       existing directory), a directory is copied as a subdirectory ({@code @src/dir/} → {@code <to>/dir/}; the alias
 *       root {@code @src/} → {@code <to>/});</li>
 *   <li>with one: Go's {@code fs.Glob} (each element matched alone, so {@code **} is {@code *}); a match of
 *       {@code <prefix>/**} lands at {@code <to>/<match without prefix>}, any other at {@code <to>/<match>};
 *       directories matched are copied recursively; no match, or every match excluded, is an error;</li>
 *   <li>{@code exclude}: doublestar patterns against the path from the alias root, and from the non-glob prefix of
 *       {@code from}; one without {@code /} also against the file name;</li>
 *   <li>{@code strategy: Merge} merges a YAML file into an existing destination file ({@link YamlMerge}, Helm's values
 *       merge); {@code Overwrite} (default) replaces it. {@code Extract} (tarballs) is refused with a message naming
 *       the operation: Conflux does not unpack archives into artifacts.</li>
 * </ul>
 * Paths never leave the alias root or the artifact root ({@code ..} is refused).
 */
public final class ArtifactCopy {
    /** {@code strategy} values. */
    static final String OVERWRITE = "Overwrite";
    static final String MERGE = "Merge";
    static final String EXTRACT = "Extract";

    private ArtifactCopy() {
    }

    /** A copy operation that cannot be applied; the message names the operation and the cause. */
    public static final class CopyException extends Exception {
        private static final long serialVersionUID = 1L;

        CopyException(String message) {
            super(message);
        }
    }

    /**
     * @param operations the output artifact's {@code copy} list
     * @param sources    each alias's artifact content root
     * @param artifact   the output artifact's root, an existing (empty) directory
     * @throws CopyException when an operation is malformed, names an unknown alias, matches nothing or fails
     */
    public static void apply(List<CopyOperation> operations, Map<String, Path> sources, Path artifact) throws CopyException {
        for (CopyOperation op : operations == null ? List.<CopyOperation>of() : operations) {
            try {
                applyOne(op, sources, artifact);
            } catch (CopyException | IllegalArgumentException | UncheckedIOException e) {
                throw new CopyException("failed to apply copy operation from '" + op.from() + "' to '" + op.to() + "': "
                        + e.getMessage());
            } catch (IOException e) {
                throw new CopyException("failed to apply copy operation from '" + op.from() + "' to '" + op.to() + "': "
                        + e);
            }
        }
    }

    private static void applyOne(CopyOperation op, Map<String, Path> sources, Path artifact) throws CopyException, IOException {
        String from = op.from() == null ? "" : op.from();
        String to = op.to() == null ? "" : op.to();
        if (!from.startsWith("@")) {
            throw new CopyException("invalid copy source '" + from + "': source must start with '@'");
        }
        int slash = from.indexOf('/');
        if (slash < 0) {
            throw new CopyException("invalid copy source '" + from + "': source format must be '@alias/pattern'");
        }
        String alias = from.substring(1, slash);
        String pattern = from.substring(slash + 1);
        if (!to.startsWith("@artifact/")) {
            throw new CopyException("invalid copy destination '" + to + "': destination must start with '@artifact/'");
        }
        String dest = to.substring("@artifact/".length());
        String strategy = op.strategy() == null || op.strategy().isEmpty() ? OVERWRITE : op.strategy();
        if (EXTRACT.equals(strategy)) {
            throw new CopyException("strategy 'Extract' is not supported by Conflux");
        }
        if (!OVERWRITE.equals(strategy) && !MERGE.equals(strategy)) {
            throw new CopyException("unknown strategy '" + strategy + "', expected Overwrite, Merge or Extract");
        }
        Path root = sources.get(alias);
        if (root == null) {
            throw new CopyException("source alias '" + alias + "' not found");
        }
        List<Pattern> excludes = new ArrayList<>();
        List<String> excludeTexts = op.exclude() == null ? List.of() : op.exclude();
        for (String e : excludeTexts) {
            try {
                excludes.add(Globs.doublestar(e));
            } catch (IllegalArgumentException ex) {
                throw new CopyException("invalid exclude pattern '" + e + "'");
            }
        }
        Excludes excluded = new Excludes(excludeTexts, excludes);
        boolean merge = MERGE.equals(strategy);
        if (!Globs.hasMeta(pattern)) {
            single(root, clean(pattern), artifact, dest, to.endsWith("/"), excluded, merge);
            return;
        }
        List<String> matches = glob(root, pattern);
        if (matches.isEmpty()) {
            throw new CopyException("no files match pattern '" + pattern + "' in source '" + alias + "'");
        }
        String base = selectionRoot(pattern);
        List<String> kept = matches.stream().filter(m -> !".".equals(m) && !"..".equals(m))
                .filter(m -> !excluded.test(m, base)).toList();
        if (kept.isEmpty()) {
            throw new CopyException("all files matching pattern '" + pattern + "' in source '" + alias + "' were excluded");
        }
        for (String match : kept) {
            copy(root, match, artifact, globDestination(pattern, match, dest), excluded, base, merge);
        }
    }

    private static void single(Path root, String src, Path artifact, String dest, boolean destIsDir, Excludes excluded,
                               boolean merge) throws CopyException, IOException {
        Path from = inside(root, src);
        if (!Files.exists(from)) {
            throw new CopyException("source '" + src + "' does not exist");
        }
        if (Files.isDirectory(from)) {
            copy(root, src, artifact, join(dest, ".".equals(src) ? "." : base(src)), excluded, src, merge);
            return;
        }
        if (excluded.test(src, ".")) {
            return;
        }
        String target = destIsDir || Files.isDirectory(inside(artifact, clean(dest))) ? join(dest, base(src)) : dest;
        copy(root, src, artifact, target, excluded, ".", merge);
    }

    /** source-watcher's {@code copyFileWithRoots}: a directory recursively, a file merged or overwritten. */
    private static void copy(Path root, String src, Path artifact, String dest, Excludes excluded, String base,
                             boolean merge) throws IOException, CopyException {
        Path from = inside(root, src);
        Path to = inside(artifact, clean(dest));
        if (Files.isDirectory(from)) {
            Files.createDirectories(to);
            List<Path> entries;
            try (Stream<Path> walk = Files.walk(from)) {
                entries = walk.sorted().toList();
            }
            List<Path> skipped = new ArrayList<>();
            for (Path entry : entries) {
                if (entry.equals(from) || skipped.stream().anyMatch(entry::startsWith)) {
                    continue;
                }
                String path = relative(root, entry);
                if (excluded.test(path, base)) {
                    if (Files.isDirectory(entry)) {
                        skipped.add(entry);
                    }
                    continue;
                }
                Path target = to.resolve(relative(from, entry));
                if (Files.isDirectory(entry)) {
                    Files.createDirectories(target);
                } else {
                    writeFile(entry, target);
                }
            }
            return;
        }
        if (merge && Files.isRegularFile(to)) {
            Files.writeString(to, YamlMerge.merge(Files.readString(to), Files.readString(from), clean(dest)));
            return;
        }
        writeFile(from, to);
    }

    private static void writeFile(Path from, Path to) throws IOException {
        if (to.getParent() != null) {
            Files.createDirectories(to.getParent());
        }
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Go's {@code fs.Glob}: every path (relative, {@code /}) matching {@code pattern}, element by element, sorted. */
    static List<String> glob(Path root, String pattern) throws IOException {
        List<String> current = List.of("");
        String[] parts = pattern.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                continue;
            }
            List<String> next = new ArrayList<>();
            Pattern element = Globs.hasMeta(part) ? Globs.segment(part) : null;
            for (String dir : current) {
                Path d = dir.isEmpty() ? root : inside(root, dir);
                if (element == null) {
                    if (!".".equals(part) && Files.exists(d.resolve(part)) && !"..".equals(part)) {
                        next.add(dir.isEmpty() ? part : dir + "/" + part);
                    } else if (".".equals(part)) {
                        next.add(dir);
                    }
                    continue;
                }
                if (!Files.isDirectory(d)) {
                    continue;
                }
                try (Stream<Path> list = Files.list(d)) {
                    for (String name : list.map(p -> p.getFileName().toString()).sorted().toList()) {
                        if (element.matcher(name).matches()) {
                            next.add(dir.isEmpty() ? name : dir + "/" + name);
                        }
                    }
                }
            }
            current = next;
        }
        return current.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** source-watcher's {@code calculateGlobDestination}. */
    static String globDestination(String pattern, String match, String dest) {
        if (pattern.endsWith("/**")) {
            String prefix = pattern.substring(0, pattern.length() - 3);
            if (match.startsWith(prefix + "/")) {
                return join(dest, match.substring(prefix.length() + 1));
            }
        }
        return join(dest, match);
    }

    /** source-watcher's {@code sourceSelectionRoot}: the elements of {@code pattern} before the first glob. */
    static String selectionRoot(String pattern) {
        List<String> kept = new ArrayList<>();
        for (String part : clean(pattern).split("/")) {
            if (Globs.hasMeta(part)) {
                break;
            }
            kept.add(part);
        }
        return kept.isEmpty() ? "." : clean(String.join("/", kept));
    }

    /** Go's {@code filepath.Clean} for relative {@code /} paths ({@code ""} → {@code .}). */
    static String clean(String path) {
        List<String> out = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || ".".equals(part)) {
                continue;
            }
            if ("..".equals(part) && !out.isEmpty() && !"..".equals(out.get(out.size() - 1))) {
                out.remove(out.size() - 1);
            } else {
                out.add(part);
            }
        }
        return out.isEmpty() ? "." : String.join("/", out);
    }

    private static String join(String a, String b) {
        return clean(a + "/" + b);
    }

    private static String base(String path) {
        String c = clean(path);
        int i = c.lastIndexOf('/');
        return i < 0 ? c : c.substring(i + 1);
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace(root.getFileSystem().getSeparator(), "/");
    }

    /** @return {@code path} under {@code root}; IllegalArgumentException when it would leave it */
    private static Path inside(Path root, String path) {
        String c = clean(path);
        if (c.equals("..") || c.startsWith("../") || path.startsWith("/")) {
            throw new IllegalArgumentException("path '" + path + "' leaves the root");
        }
        return ".".equals(c) ? root : root.resolve(c);
    }

    /** source-watcher's {@code shouldExcludePath}. */
    private record Excludes(List<String> texts, List<Pattern> patterns) {
        boolean test(String path, String base) {
            if (matches(path)) {
                return true;
            }
            String b = clean(base);
            String p = clean(path);
            String rel;
            if (".".equals(b)) {
                rel = p;
            } else if (p.startsWith(b + "/")) {
                rel = p.substring(b.length() + 1);
            } else if (p.equals(b)) {
                rel = ".";
            } else {
                return false;
            }
            return !".".equals(rel) && !rel.equals(p) && matches(rel);
        }

        private boolean matches(String path) {
            String name = base(path);
            for (int i = 0; i < patterns.size(); i++) {
                if (patterns.get(i).matcher(path).matches()
                        || !texts.get(i).contains("/") && patterns.get(i).matcher(name).matches()) {
                    return true;
                }
            }
            return false;
        }
    }
}
