package io.conflux.cli.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * The bundle encryption keys of one local installation ({@code conflux up}): the file {@code bundle-encryption-keys}
 * in its working directory, one {@code <id>:<base64 of 32 bytes>} per line, newest first — the value of the renderer's
 * and applier's {@code conflux.bundles.encryption-keys}. Created with one random key (readable by the owner only) the
 * first time; kept afterwards, so bundles stored by an earlier run still open. To rotate, add a new line at the top.
 */
public final class BundleKeyFile {
    /** The file's name in the installation directory. */
    public static final String NAME = "bundle-encryption-keys";

    private BundleKeyFile() {
    }

    /**
     * @param workDir the installation's working directory
     * @return the keys as the services' {@code conflux.bundles.encryption-keys} value (comma-separated)
     * @throws UncheckedIOException  when the file cannot be read or created
     * @throws IllegalStateException when the file holds no key
     */
    public static String keys(Path workDir) {
        Path file = workDir.resolve(NAME);
        try {
            Files.createDirectories(workDir);
            if (!Files.exists(file)) {
                create(file);
            }
            List<String> keys = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            if (keys.isEmpty()) {
                throw new IllegalStateException(file + " holds no key (expected lines <id>:<base64 of 32 bytes>)");
            }
            return String.join(",", keys);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    private static void create(Path file) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String line = "local-1:" + Base64.getEncoder().encodeToString(key) + "\n";
        try {
            OwnerOnlyFile.create(file, line);
        } catch (FileAlreadyExistsException e) {
            // created meanwhile by another start in the same directory
        }
    }
}
