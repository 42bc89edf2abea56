package io.conflux.cli.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files of a local installation that hold a secret (the control API token, the bundle encryption keys): created with
 * permissions {@code rw-------} where the file system has POSIX permissions, so that they are never readable by others,
 * not even between their creation and their first write.
 */
final class OwnerOnlyFile {
    private OwnerOnlyFile() {
    }

    /**
     * Creates {@code file} readable by its owner only and writes {@code text} into it (UTF-8).
     *
     * @throws java.nio.file.FileAlreadyExistsException when the file exists
     * @throws IOException                               when it cannot be created or written
     */
    static void create(Path file, String text) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
