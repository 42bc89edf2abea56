package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresTest {

    @Test
    void startsQueriesAndRestartsOnTheSameData(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("pg");
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(data)) {
            assertThat(pg.jdbcUrl()).matches("jdbc:postgresql://127\\.0\\.0\\.1:\\d+/conflux");
            assertThat(pg.reactiveUrl()).isEqualTo(pg.jdbcUrl().substring("jdbc:".length()));
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (v text)");
                s.execute("INSERT INTO t VALUES ('kept')");
                try (ResultSet rs = s.executeQuery("SELECT current_database(), current_user, version()")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("conflux");
                    assertThat(rs.getString(2)).isEqualTo("conflux");
                    assertThat(rs.getString(3)).startsWith("PostgreSQL 16");
                }
                try (ResultSet rs = s.executeQuery("SHOW max_connections")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(EmbeddedPostgres.MAX_CONNECTIONS);
                }
            }
        }
        try (EmbeddedPostgres again = EmbeddedPostgres.start(data);
             Connection c = DriverManager.getConnection(again.jdbcUrl(), again.username(), again.password());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM t")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("kept");
        }
    }

    @Test
    @SuppressWarnings("try") // close() inside the try is what is tested: a closed server refuses to start again
    void stopsAndStartsAgainOnTheSamePortAndData(@TempDir Path dir) throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(dir.resolve("pg"))) {
            String url = pg.jdbcUrl();
            try (Connection c = DriverManager.getConnection(url, pg.username(), pg.password());
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (v text)");
                s.execute("INSERT INTO t VALUES ('kept')");
            }
            try (Connection open = DriverManager.getConnection(url, pg.username(), pg.password())) {
                pg.stop();
                assertThat(pg.isRunning()).isFalse();
                // the open connection was cut by the fast shutdown, and nothing listens on the port
                assertThatThrownBy(() -> open.createStatement().executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
                assertThatThrownBy(() -> DriverManager.getConnection(url, pg.username(), pg.password()))
                    .isInstanceOf(SQLException.class);
                pg.stop();

                pg.startAgain();
                pg.startAgain();
            }
            assertThat(pg.isRunning()).isTrue();
            assertThat(pg.jdbcUrl()).isEqualTo(url);
            try (Connection c = DriverManager.getConnection(url, pg.username(), pg.password());
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT v FROM t")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("kept");
            }
            pg.close();
            assertThat(pg.isRunning()).isFalse();
            assertThatThrownBy(pg::startAgain).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }
}
