package io.conflux.kustomize;

/**
 * Which files a kustomization may read, as kustomize's {@code --load-restrictor} flag
 * (follows api/loader/loadrestrictions.go).
 *
 * <ul>
 *   <li>{@link #ROOT_ONLY} — files (resources, patches, generator sources) must lie in or below the
 *       directory of the kustomization that names them; the default of {@code kustomize build}.</li>
 *   <li>{@link #NONE} — any file of the file system may be read; what Flux's kustomize-controller uses.</li>
 * </ul>
 * Directories holding other kustomizations may always be referenced, wherever they are.
 */
public enum LoadRestrictions {
  /** Files must be in or below the kustomization's own directory. */
  ROOT_ONLY,
  /** No restriction. */
  NONE
}
