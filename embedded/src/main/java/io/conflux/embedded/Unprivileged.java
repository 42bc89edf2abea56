package io.conflux.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs commands as an unprivileged user ({@code nobody:nogroup} via {@code setpriv}) when this JVM runs as
 * root, because PostgreSQL refuses to run as root; as a normal user, commands run unchanged.
 */
final class Unprivileged {

    static final String USER = "nobody";
    static final String GROUP = "nogroup";

    private Unprivileged() {
    }

    /** @return true if the effective user of this JVM is root (uid 0) */
    static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return Integer.valueOf(0).equals(uid);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /**
     * @return {@code command}, prefixed as root with {@code setpriv --reuid=nobody --regid=nogroup --clear-groups}
     *         (or {@code runuser -u nobody --} where setpriv is not installed)
     */
    static List<String> command(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> full = new ArrayList<>(onPath("setpriv")
            ? List.of("setpriv", "--reuid=" + USER, "--regid=" + GROUP, "--clear-groups")
            : List.of("runuser", "-u", USER, "--"));
        full.addAll(command);
        return full;
    }

    private static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** As root: gives {@code path} to the unprivileged user and group; otherwise does nothing. */
    static void own(Path path) throws IOException {
        if (!isRoot()) {
            return;
        }
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = lookup.lookupPrincipalByName(USER);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(GROUP);
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(user);
        view.setGroup(group);
    }

    /**
     * As root: makes every ancestor of {@code path} traversable (adds execute-for-others where missing, never
     * read or write) so that the unprivileged user can reach it; otherwise does nothing.
     */
    static void makeAncestorsTraversable(Path path) throws IOException {
        if (!isRoot()) {
            return;
        }
        for (Path p = path.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                perms.add(PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(p, perms);
            }
        }
    }
}
