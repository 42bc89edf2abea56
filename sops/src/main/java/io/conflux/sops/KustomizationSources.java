package io.conflux.sops;

import io.conflux.kustomize.yaml.YamlBoundException;
import io.conflux.kustomize.yaml.YamlBounds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Flux's {@code DecryptSources}: before the build, the SOPS-encrypted inputs a kustomization refers to are
 * decrypted in place — the {@code files} (format from the key's extension, {@code key=path} or the path) and
 * {@code envs} (format from the path, dotenv unless YAML/JSON) of every {@code secretGenerator}, and the
 * {@code patches[].path} files — in the kustomization of the build directory and, recursively, of every local
 * directory among its {@code resources} and {@code components}. A file is decrypted only when it carries its
 * format's SOPS marker; anything else is left alone. As in Flux, {@code configMapGenerator} inputs are not
 * decrypted, references outside {@code root} and remote URLs are skipped, a referenced file that does not exist
 * or exceeds {@value #MAX_FILE_SIZE} bytes fails. Works on any {@link java.nio.file.FileSystem} (the renderer's
 * in-memory copy of the revision).
 */
public final class KustomizationSources {
    /** Flux's {@code maxEncryptedFileSize}: 5 MiB. */
    public static final long MAX_FILE_SIZE = 5L << 20;
    private static final List<String> KUSTOMIZATION_FILES = List.of("kustomization.yaml", "kustomization.yml",
            "Kustomization");

    private final Path root;
    private final SopsDecryptor decryptor;
    private final Set<Path> visitedDirs = new HashSet<>();
    private final Set<Path> decryptedFiles = new HashSet<>();

    private KustomizationSources(Path root, SopsDecryptor decryptor) {
        this.root = root.toAbsolutePath().normalize();
        this.decryptor = decryptor;
    }

    /**
     * Decrypts the encrypted generator and patch inputs of the kustomization in {@code dir}, recursively.
     *
     * @param root      the source root; nothing outside it is read or written
     * @param dir       the build directory (must hold a kustomization file)
     * @param decryptor the keys
     * @return the decrypted files, relative to {@code root}, in visiting order
     * @throws SopsException naming the file (relative to {@code root}) that failed
     * @throws IOException   when a file cannot be read or written
     */
    public static List<String> decrypt(Path root, Path dir, SopsDecryptor decryptor) throws SopsException, IOException {
        KustomizationSources sources = new KustomizationSources(root, decryptor);
        List<String> done = new ArrayList<>();
        sources.visit(dir.toAbsolutePath().normalize(), true, done);
        return done;
    }

    private void visit(Path dir, boolean required, List<String> done) throws SopsException, IOException {
        if (!dir.startsWith(root) || !visitedDirs.add(dir)) {
            return;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (required) {
                throw new SopsException(relative(dir) + ": not a directory");
            }
            return;
        }
        Map<?, ?> kustomization = load(dir);
        for (Object gen : list(kustomization.get("secretGenerator"))) {
            if (!(gen instanceof Map<?, ?> generator)) {
                continue;
            }
            for (Object file : list(generator.get("files"))) {
                String source = String.valueOf(file);
                int eq = source.indexOf('=');
                String key = eq < 0 ? source : source.substring(0, eq);
                String path = eq < 0 ? source : source.substring(eq + 1);
                decryptFile(dir, path, SopsFormat.forPath(key), done);
            }
            for (Object env : list(generator.get("envs"))) {
                SopsFormat format = SopsFormat.forPath(String.valueOf(env));
                decryptFile(dir, String.valueOf(env), format == SopsFormat.BINARY ? SopsFormat.DOTENV : format, done);
            }
        }
        for (Object p : list(kustomization.get("patches"))) {
            if (p instanceof Map<?, ?> patch && patch.get("path") instanceof String path && !path.isEmpty()
                    && !path.contains("://")) {
                decryptFile(dir, path, SopsFormat.forPath(path), done);
            }
        }
        List<Object> children = new ArrayList<>(list(kustomization.get("resources")));
        children.addAll(list(kustomization.get("components")));
        for (Object child : children) {
            String ref = String.valueOf(child);
            if (ref.contains("://")) {
                continue;
            }
            Path resolved = dir.resolve(ref).normalize();
            if (Files.isDirectory(resolved, LinkOption.NOFOLLOW_LINKS)) {
                visit(resolved, true, done);
            }
        }
    }

    private void decryptFile(Path dir, String ref, SopsFormat format, List<String> done)
            throws SopsException, IOException {
        Path file = dir.resolve(ref).normalize();
        if (!file.startsWith(root) || decryptedFiles.contains(file)) {
            return;
        }
        String name = relative(file);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new SopsException(name + ": no such file");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new SopsException(name + ": cannot decrypt irregular file");
        }
        long size = Files.size(file);
        if (size > MAX_FILE_SIZE) {
            throw new SopsException(name + ": cannot decrypt file with size (" + size + " bytes) exceeding limit ("
                    + MAX_FILE_SIZE + ")");
        }
        byte[] content = Files.readAllBytes(file);
        if (!format.marks(content)) {
            return;
        }
        try {
            Files.write(file, decryptor.decryptFile(content, format, format));
        } catch (SopsException e) {
            throw e.in(name);
        }
        decryptedFiles.add(file);
        done.add(name);
    }

    private Map<?, ?> load(Path dir) throws SopsException, IOException {
        Path found = null;
        for (String name : KUSTOMIZATION_FILES) {
            Path candidate = dir.resolve(name);
            if (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                if (found != null) {
                    throw new SopsException(relative(dir) + ": found multiple kustomization files");
                }
                found = candidate;
            }
        }
        if (found == null) {
            throw new SopsException(relative(dir) + ": no kustomization file found");
        }
        try {
            Object doc = YamlBounds.MANIFESTS.load(YamlBounds.MANIFESTS.settings(relative(found)).build(),
                    Files.readString(found));
            return doc instanceof Map<?, ?> map ? map : Map.of();
        } catch (YamlBoundException e) {
            throw new SopsException(relative(found) + ": invalid YAML: " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new SopsException(relative(found) + ": invalid YAML");
        }
    }

    private String relative(Path p) {
        String r = root.relativize(p).toString();
        return r.isEmpty() ? "." : r;
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }
}
