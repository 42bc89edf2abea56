#!/usr/bin/env bash
# Writes deploy/crds/*.yaml: Flux's own CustomResourceDefinitions, unchanged but for one label, for every kind
# Conflux serves. These files are Flux's API, shipped as Flux ships it; this script, not a hand edit, is their
# source of truth. Re-run it to move to another Flux release and commit the result.
#
# Usage:
#   deploy/crds/refresh.sh [FLUX_VERSION]                       # from GitHub (raw.githubusercontent.com)
#   deploy/crds/refresh.sh --git-dirs 'DIR/{repo}' [FLUX_VERSION] # from local git repositories (bare or not)
#
#   FLUX_VERSION  a fluxcd/flux2 release tag, default v2.7.5 (the current v2.7 line).
#   --git-dirs    a path template; {repo} is replaced by flux2, source-controller, kustomize-controller,
#                 helm-controller, notification-controller, source-watcher. Each must be a git repository
#                 holding the release tags (e.g. a clone, or a fetched snapshot such as
#                 '/work/.mirror/fluxcd+{repo}/repo').
#
# What it does:
#   1. reads the component versions of that Flux release from fluxcd/flux2's
#      manifests/bases/<component>/kustomization.yaml (the ".../releases/download/<tag>/..." URLs in it);
#   2. reads each component's config/crd/bases/<group>_<plural>.yaml at that tag;
#   3. writes deploy/crds/<plural>.yaml: a header comment naming the repository, tag and path it came from,
#      the document without its leading "---", and metadata.labels app.kubernetes.io/part-of: conflux.
# It fails (exit 1, nothing half-written: every file is written to a temporary directory first) when a version
# cannot be resolved, a file cannot be read, or a document is not one CRD shaped as controller-gen writes it.
# Needs bash, git (with --git-dirs) or curl (without), awk.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
git_dirs=""
if [[ "${1:-}" == "--git-dirs" ]]; then
  git_dirs="${2:?--git-dirs needs a path template}"
  shift 2
fi
flux_version="${1:-v2.7.5}"

# component repository → the CRD files of it Conflux ships, as "<plural> <file under config/crd/bases>"
declare -A crds=(
  [source-controller]="gitrepositories:source.toolkit.fluxcd.io_gitrepositories.yaml
helmrepositories:source.toolkit.fluxcd.io_helmrepositories.yaml
helmcharts:source.toolkit.fluxcd.io_helmcharts.yaml
ocirepositories:source.toolkit.fluxcd.io_ocirepositories.yaml
buckets:source.toolkit.fluxcd.io_buckets.yaml
externalartifacts:source.toolkit.fluxcd.io_externalartifacts.yaml"
  [kustomize-controller]="kustomizations:kustomize.toolkit.fluxcd.io_kustomizations.yaml"
  [helm-controller]="helmreleases:helm.toolkit.fluxcd.io_helmreleases.yaml"
  [notification-controller]="alerts:notification.toolkit.fluxcd.io_alerts.yaml
providers:notification.toolkit.fluxcd.io_providers.yaml
receivers:notification.toolkit.fluxcd.io_receivers.yaml"
  [source-watcher]="artifactgenerators:source.extensions.fluxcd.io_artifactgenerators.yaml"
)

# read REPO TAG PATH → stdout
read_file() {
  local repo="$1" tag="$2" path="$3"
  if [[ -n "$git_dirs" ]]; then
    local dir="${git_dirs//"{repo}"/$repo}"
    git --git-dir="$dir" show "$tag:$path" 2>/dev/null || git -C "$dir" show "$tag:$path"
  else
    curl -fsSL "https://raw.githubusercontent.com/fluxcd/$repo/$tag/$path"
  fi
}

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

for component in "${!crds[@]}"; do
  base="manifests/bases/$component/kustomization.yaml"
  tag="$(read_file flux2 "$flux_version" "$base" \
    | sed -n "s#.*github.com/fluxcd/$component/releases/download/\(v[^/]*\)/.*#\1#p" | head -1)"
  if [[ -z "$tag" ]]; then
    echo "refresh.sh: no $component version in fluxcd/flux2 $flux_version $base" >&2
    exit 1
  fi
  while IFS=: read -r plural file; do
    path="config/crd/bases/$file"
    doc="$(read_file "$component" "$tag" "$path")"
    if [[ "$(grep -c '^kind: CustomResourceDefinition$' <<<"$doc")" != 1 || "$(grep -c '^metadata:$' <<<"$doc")" != 1 ]] \
      || grep -q '^  labels:' <<<"$doc"; then
      echo "refresh.sh: $component $tag $path is not one CRD as controller-gen writes it" >&2
      exit 1
    fi
    {
      echo "# Flux's CustomResourceDefinition, written by deploy/crds/refresh.sh; do not edit by hand, re-run the script."
      echo "# Flux release: fluxcd/flux2 $flux_version ($base)"
      echo "# Source: https://github.com/fluxcd/$component tag $tag path $path"
      echo "# Conflux's change: metadata.labels app.kubernetes.io/part-of: conflux"
      awk 'NR == 1 && $0 == "---" { next }
           { print }
           $0 == "metadata:" { print "  labels:"; print "    app.kubernetes.io/part-of: conflux" }' <<<"$doc"
    } >"$out/$plural.yaml"
    echo "$plural.yaml <- fluxcd/$component $tag $path"
  done <<<"${crds[$component]}"
done

cp "$out"/*.yaml "$here"/
