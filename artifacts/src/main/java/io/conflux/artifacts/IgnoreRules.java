package io.conflux.artifacts;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.ignore.FastIgnoreRule;

/**
 * The ignore rules of a Bucket's or OCIRepository's artifact, as source-controller applies them there: the patterns
 * of the root {@code .sourceignore} (a Bucket's object of that key, an extracted layer's file) then
 * {@code spec.ignore}, gitignore syntax (JGit's rules), the last matching pattern deciding, {@code !} re-including.
 * Unlike a GitRepository's, no default exclusions apply.
 */
public final class IgnoreRules {
    /** The ignore file's name. */
    public static final String FILE = ".sourceignore";

    private final List<FastIgnoreRule> rules;

    private IgnoreRules(List<FastIgnoreRule> rules) {
        this.rules = rules;
    }

    /**
     * @param sourceignore the root {@code .sourceignore}'s text, or null
     * @param specIgnore   {@code spec.ignore}, or null
     * @return the rules
     */
    public static IgnoreRules of(String sourceignore, String specIgnore) {
        List<FastIgnoreRule> rules = new ArrayList<>();
        for (String text : new String[] {sourceignore, specIgnore}) {
            if (text == null) {
                continue;
            }
            for (String line : text.split("\n")) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    rules.add(new FastIgnoreRule(l));
                }
            }
        }
        return new IgnoreRules(List.copyOf(rules));
    }

    /** @return whether the file at {@code path} (relative, {@code /}-separated) is left out */
    public boolean ignored(String path) {
        boolean ignored = false;
        for (FastIgnoreRule rule : rules) {
            if (rule.isMatch(path, false)) {
                ignored = rule.getResult();
            }
        }
        return ignored;
    }
}
