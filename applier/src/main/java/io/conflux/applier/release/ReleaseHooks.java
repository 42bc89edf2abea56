package io.conflux.applier.release;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.model.helm.HelmReleaseSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The hooks (and tests) around one install, upgrade, rollback or uninstall of a HelmRelease, as Helm's actions run
 * them: {@code pre-<action>} hooks, the action (Conflux's apply or prune of the release's objects), {@code
 * post-<action>} hooks; a failed hook fails the action (so it is remediated like a failed apply), and a failed
 * {@code pre-} hook means nothing of the release is applied. {@code spec.<action>.disableHooks} skips an action's
 * hooks (helm-controller's). After a successful install or upgrade with {@code spec.test.enable}, the {@code test}
 * hooks run (helm-controller's test step after a release), filtered by {@code spec.test.filters} as {@code helm test
 * --filter} does (only the names of non-{@code exclude} filters when there are any, never those of {@code exclude}
 * ones); a failed test fails the release unless {@code spec.test.ignoreFailures} or the action's
 * {@code remediation.ignoreTestFailures} holds. Not thread-safe: one per release run. Blocking.
 */
public final class ReleaseHooks {
    /** No hooks at all: what a bundle stored before hooks were kept runs with. */
    public static final ReleaseHooks NONE = new ReleaseHooks(null, List.of(), List.of(), Settings.NONE, Duration.ZERO);

    private final HookRunner runner;
    private final List<Map<String, Object>> hooks;
    private final List<Map<String, Object>> previousHooks;
    private final Settings settings;
    private final Duration timeout;
    private final List<HookRunner.Result> results = new ArrayList<>();
    private TestOutcome tests;

    /**
     * @param runner        runs hooks on the target cluster (null only with no hooks)
     * @param hooks         the new release's hook objects
     * @param previousHooks the hook objects of the release rolled back to (for {@code pre-}/{@code post-rollback}), or
     *                      of the release uninstalled
     * @param settings      the HelmRelease's hook and test fields
     * @param timeout       {@code spec.timeout}: how long each hook may run
     */
    public ReleaseHooks(HookRunner runner, List<Map<String, Object>> hooks, List<Map<String, Object>> previousHooks,
                        Settings settings, Duration timeout) {
        this.runner = runner;
        this.hooks = hooks;
        this.previousHooks = previousHooks;
        this.settings = settings;
        this.timeout = timeout;
    }

    /**
     * The HelmRelease fields about hooks and tests.
     *
     * @param disableInstall      {@code spec.install.disableHooks}
     * @param disableUpgrade      {@code spec.upgrade.disableHooks}
     * @param disableRollback     {@code spec.rollback.disableHooks}
     * @param disableUninstall    {@code spec.uninstall.disableHooks}
     * @param testEnable          {@code spec.test.enable}
     * @param ignoreInstallTests  {@code spec.install.remediation.ignoreTestFailures}, else {@code spec.test.ignoreFailures}
     * @param ignoreUpgradeTests  {@code spec.upgrade.remediation.ignoreTestFailures}, else {@code spec.test.ignoreFailures}
     * @param include             names of the non-{@code exclude} {@code spec.test.filters}
     * @param exclude             names of the {@code exclude} ones
     */
    public record Settings(boolean disableInstall, boolean disableUpgrade, boolean disableRollback,
                           boolean disableUninstall, boolean testEnable, boolean ignoreInstallTests, boolean ignoreUpgradeTests,
                           List<String> include, List<String> exclude) {
        static final Settings NONE = new Settings(false, false, false, false, false, false, false, List.of(), List.of());

        /**
         * @param spec the HelmRelease's spec
         * @return its settings; values of the wrong type count as false (the CRD's schema refuses them)
         */
        public static Settings of(HelmReleaseSpec spec) {
            Map<?, ?> test = spec.test() == null ? Map.of() : spec.test();
            boolean ignore = Boolean.TRUE.equals(test.get("ignoreFailures"));
            List<String> include = new ArrayList<>();
            List<String> exclude = new ArrayList<>();
            if (test.get("filters") instanceof List<?> filters) {
                for (Object f : filters) {
                    if (f instanceof Map<?, ?> filter && filter.get("name") != null) {
                        (Boolean.TRUE.equals(filter.get("exclude")) ? exclude : include).add(String.valueOf(filter.get("name")));
                    }
                }
            }
            return new Settings(disabled(spec.install()), disabled(spec.upgrade()), disabled(spec.rollback()),
                    disabled(spec.uninstall()), Boolean.TRUE.equals(test.get("enable")),
                    ignoreTests(spec.install(), ignore), ignoreTests(spec.upgrade(), ignore),
                    List.copyOf(include), List.copyOf(exclude));
        }

        private static boolean disabled(Map<String, Object> action) {
            return action != null && Boolean.TRUE.equals(action.get("disableHooks"));
        }

        private static boolean ignoreTests(Map<String, Object> action, boolean otherwise) {
            if (action != null && action.get("remediation") instanceof Map<?, ?> r && r.get("ignoreTestFailures") instanceof Boolean b) {
                return b;
            }
            return otherwise;
        }
    }

    /**
     * What the tests after a release came to (helm-controller's {@code TestSuccess} condition).
     *
     * @param result  the {@code test} hooks' run
     * @param ignored whether a failure is ignored (does not fail the release)
     */
    public record TestOutcome(HookRunner.Result result, boolean ignored) {
        /** @return whether every test hook succeeded */
        public boolean succeeded() {
            return result.succeeded();
        }
    }

    /**
     * Runs an install or upgrade: its {@code pre-} hooks, {@code apply}, its {@code post-} hooks, then the tests.
     *
     * @param action   install or upgrade
     * @param previous the inventory before the action (kept as the inventory when a {@code pre-} hook fails)
     * @param apply    applies the release's objects
     * @return the apply's result, or a failure naming the hook or test that failed
     */
    public ApplyResult release(ReleaseAction action, List<InventoryEntry> previous, Supplier<ApplyResult> apply) {
        boolean disabled = action == ReleaseAction.INSTALL ? settings.disableInstall() : settings.disableUpgrade();
        ApplyResult result = around(action.toString(), hooks, disabled, previous, apply);
        if (!result.succeeded() || !settings.testEnable() || runner == null) {
            return result;
        }
        List<Map<String, Object>> selected = hooks.stream().filter(this::tested).toList();
        HookRunner.Result ran = runner.run(selected, Hook.TEST, timeout);
        results.add(ran);
        boolean ignored = action == ReleaseAction.INSTALL ? settings.ignoreInstallTests() : settings.ignoreUpgradeTests();
        tests = new TestOutcome(ran, ignored);
        return ran.succeeded() || ignored ? result : result.failedWith(result.reason() == null ? "ReconciliationFailed"
                : result.reason(), "Helm test failed: " + ran.error());
    }

    /**
     * Runs a rollback: the {@code pre-rollback} and {@code post-rollback} hooks of the release rolled back to.
     *
     * @param previous the inventory before the rollback
     * @param apply    re-applies the release rolled back to
     */
    public ApplyResult rollback(List<InventoryEntry> previous, Supplier<ApplyResult> apply) {
        return around("rollback", previousHooks, settings.disableRollback(), previous, apply);
    }

    /**
     * Runs an uninstall: the {@code pre-delete} and {@code post-delete} hooks of the release removed.
     *
     * @param removed  the hook objects of the release removed
     * @param previous the inventory before the uninstall
     * @param prune    deletes the release's objects
     */
    public ApplyResult uninstall(List<Map<String, Object>> removed, List<InventoryEntry> previous,
                                 Supplier<ApplyResult> prune) {
        return around("delete", removed, settings.disableUninstall(), previous, prune);
    }

    /** @return the new release's hook objects */
    public List<Map<String, Object>> hooks() {
        return hooks;
    }

    /** @return every hook event run so far, in order */
    public List<HookRunner.Result> results() {
        return List.copyOf(results);
    }

    /** @return the tests' outcome, empty when they did not run */
    public Optional<TestOutcome> tests() {
        return Optional.ofNullable(tests);
    }

    private ApplyResult around(String action, List<Map<String, Object>> eventHooks, boolean disabled,
                               List<InventoryEntry> previous, Supplier<ApplyResult> apply) {
        if (disabled || runner == null || eventHooks.isEmpty()) {
            return apply.get();
        }
        HookRunner.Result pre = runner.run(eventHooks, "pre-" + action, timeout);
        results.add(pre);
        if (!pre.succeeded()) {
            return ApplyResult.of(List.of(), previous, pre.error());
        }
        ApplyResult applied = apply.get();
        if (!applied.succeeded()) {
            return applied;
        }
        HookRunner.Result post = runner.run(eventHooks, "post-" + action, timeout);
        results.add(post);
        return post.succeeded() ? applied : applied.failedWith("ReconciliationFailed", post.error());
    }

    private boolean tested(Map<String, Object> object) {
        Hook hook = Hook.of(object);
        return hook.events().contains(Hook.TEST) && !settings.exclude().contains(hook.name())
                && (settings.include().isEmpty() || settings.include().contains(hook.name()));
    }
}
