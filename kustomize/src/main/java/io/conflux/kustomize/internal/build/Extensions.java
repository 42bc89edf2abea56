package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.ChartInflator;
import io.conflux.kustomize.ExecFunctions;
import io.conflux.kustomize.ExecPlugins;

/**
 * What a build may do beyond kustomize's builtin generators and transformers, each off unless the caller of
 * {@link io.conflux.kustomize.Kustomizer} enabled it.
 *
 * @param chartInflator renders {@code helmCharts} ({@code kustomize build --enable-helm}); null: they are refused
 * @param execFunctions runs exec KRM functions ({@code --enable-alpha-plugins --enable-exec}); null: they are refused
 * @param execPlugins runs legacy exec plugins ({@code --enable-alpha-plugins}); null: non-builtin plugin configs are
 *     refused with kustomize's "external plugins disabled" error
 */
public record Extensions(ChartInflator chartInflator, ExecFunctions execFunctions, ExecPlugins execPlugins) {
  /** Nothing enabled: what the renderer and every service use. */
  public static final Extensions NONE = new Extensions(null, null, null);
}
