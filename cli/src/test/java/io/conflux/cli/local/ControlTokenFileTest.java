package io.conflux.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control API token {@code conflux up} hands the webhook-receiver: random, and readable by its owner only. */
class ControlTokenFileTest {
    @TempDir
    Path tmp;

    @Test
    void tokenIsRandomAndItsFileIsOwnerOnly() throws Exception {
        Path file = tmp.resolve("control-token");
        String first = LocalInstallation.writeControlToken(file);
        assertThat(first).matches("[0-9a-f]{64}");
        assertThat(Files.readString(file)).isEqualTo(first + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        String second = LocalInstallation.writeControlToken(file);
        assertThat(second).isNotEqualTo(first);
        assertThat(Files.readString(file)).isEqualTo(second + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
}
