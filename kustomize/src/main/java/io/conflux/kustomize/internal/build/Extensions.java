package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.ChartInflator;
import io.conflux.kustomize.ExecFunctions;

/**
 * What a build may do beyond kustomize's builtin generators and transformers, each off unless the caller of
 * {@link io.conflux.kustomize.Kustomizer} enabled it.
 *
 * @param chartInflator renders {@code helmCharts} ({@code kustomize build --enable-helm}); null: they are refused
 * @param execFunctions runs exec KRM functions and exec plugins ({@code --enable-alpha-plugins --enable-exec});
 *     null: they are refused
 */
public record Extensions(ChartInflator chartInflator, ExecFunctions execFunctions) {
  /** Nothing enabled: what the renderer and every service use. */
  public static final Extensions NONE = new Extensions(null, null);
}
