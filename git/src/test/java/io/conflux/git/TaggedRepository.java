package io.conflux.git;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jgit.api.Git;

/** A repository with one commit per tag ({@code v1.0.0}, {@code v1.1.0}, {@code v2.0.0-rc.1}) and branch {@code main} at the last. */
final class TaggedRepository {
    static final String[] TAGS = {"v1.0.0", "v1.1.0", "v2.0.0-rc.1"};

    private TaggedRepository() {
    }

    /**
     * @param work directory of the work tree to create
     * @return tag (and {@code main}) → commit sha
     */
    static Map<String, String> create(Path work) throws Exception {
        Map<String, String> shas = new LinkedHashMap<>();
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            for (String tag : TAGS) {
                Files.createDirectories(work.resolve("deploy"));
                Files.writeString(work.resolve("deploy/version.yaml"), "version: " + tag + "\n");
                git.add().addFilepattern(".").call();
                String sha = git.commit().setMessage(tag).setAuthor("t", "t@t").setCommitter("t", "t@t").call().name();
                git.tag().setName(tag).setAnnotated(true).setMessage(tag).call();
                shas.put(tag, sha);
                shas.put("main", sha);
            }
        }
        return shas;
    }
}
