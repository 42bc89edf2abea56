#!/usr/bin/env bash
# Writes deploy/chart/conflux/crds/*.yaml (deploy/crds links there): Flux's own CustomResourceDefinitions for every
# kind Conflux serves, unchanged but for one label and the older versions Conflux keeps serving. These files are
# Flux's API, shipped as Flux ships it; this script, not a hand edit, is their source of truth. Re-run it to move to
# another Flux release and commit the result. It lives outside the chart's crds/ directory, which Helm reads whole.
#
# Usage:
#   deploy/refresh-crds.sh [FLUX_VERSION]                       # from GitHub (raw.githubusercontent.com)
#   deploy/refresh-crds.sh --git-dirs 'DIR/{repo}' [FLUX_VERSION] # from local git repositories (bare or not)
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
#   3. for each version in "legacy" below (one Flux no longer serves but Conflux does, because repositories
#      bootstrapped by Flux v0.x and early v2.x still use it), reads the same file at the component version of the
#      last Flux release whose controller served that version, and appends that version's entry (schema, printer
#      columns, deprecation warning as Flux had them) to spec.versions with served: true and storage: false;
#   4. writes deploy/chart/conflux/crds/<plural>.yaml: a header comment naming the repository, tag and path of
#      every part, the document without its leading "---", and metadata.labels app.kubernetes.io/part-of: conflux.
# It fails (exit 1, nothing half-written: every file is written to a temporary directory first) when a version
# cannot be resolved, a file cannot be read, a document is not one CRD shaped as controller-gen writes it, a legacy
# version is missing from its release or is already served by FLUX_VERSION.
# Needs bash, git (with --git-dirs) or curl (without), awk.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)/chart/conflux/crds"
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

# versions Conflux serves that FLUX_VERSION's CRDs dropped, as "<plural> <version> <last Flux release serving it>".
# Flux v2.7.0 removed these; v2.6.4 is the last release whose controllers served them (each as deprecated).
legacy=(
  "gitrepositories v1beta1 v2.6.4"
  "helmrepositories v1beta1 v2.6.4"
  "kustomizations v1beta1 v2.6.4"
  "helmreleases v2beta1 v2.6.4"
  "alerts v1beta1 v2.6.4"
  "providers v1beta1 v2.6.4"
  "receivers v1beta1 v2.6.4"
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

# component_tag COMPONENT FLUX_RELEASE → the component's release tag in that Flux release
component_tag() {
  local component="$1" release="$2" base="manifests/bases/$1/kustomization.yaml" tag
  tag="$(read_file flux2 "$release" "$base" \
    | sed -n "s#.*github.com/fluxcd/$component/releases/download/\(v[^/]*\)/.*#\1#p" | head -1)"
  if [[ -z "$tag" ]]; then
    echo "refresh-crds.sh: no $component version in fluxcd/flux2 $release $base" >&2
    return 1
  fi
  echo "$tag"
}

# check_crd WHAT < document: one CRD as controller-gen writes it (top-level metadata, no labels, versions last)
check_crd() {
  local doc
  doc="$(cat)"
  if [[ "$(grep -c '^kind: CustomResourceDefinition$' <<<"$doc")" != 1 || "$(grep -c '^metadata:$' <<<"$doc")" != 1 ]] \
    || grep -q '^  labels:' <<<"$doc" || [[ "$(grep -c '^  versions:$' <<<"$doc")" != 1 ]]; then
    echo "refresh-crds.sh: $1 is not one CRD as controller-gen writes it" >&2
    return 1
  fi
}

# version_entry VERSION < document → that entry of spec.versions (from its "  - " line to the next), served: true,
# storage: false; nothing when the document has no such version
version_entry() {
  awk -v want="$1" '
    function flush() { if (name == want) printf "%s", entry; entry = ""; name = "" }
    /^  versions:$/ { inv = 1; next }
    inv && /^  - / { flush(); entry = $0 "\n"; if ($0 ~ "^  - name: ") name = $3; next }
    inv && /^(  )?[^ -]/ { flush(); inv = 0; next }
    inv {
      if ($0 ~ /^    name: /) name = $2
      if ($0 ~ /^    served: /) $0 = "    served: true"
      if ($0 ~ /^    storage: /) $0 = "    storage: false"
      entry = entry $0 "\n"
    }
    END { if (inv) flush() }'
}

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

for component in "${!crds[@]}"; do
  base="manifests/bases/$component/kustomization.yaml"
  tag="$(component_tag "$component" "$flux_version")"
  while IFS=: read -r plural file; do
    path="config/crd/bases/$file"
    doc="$(read_file "$component" "$tag" "$path")"
    check_crd "$component $tag $path" <<<"$doc"
    header="# Source: https://github.com/fluxcd/$component tag $tag path $path"
    extra=""
    for entry in "${legacy[@]}"; do
      read -r lplural lversion lrelease <<<"$entry"
      [[ "$lplural" == "$plural" ]] || continue
      if [[ -n "$(version_entry "$lversion" <<<"$doc")" ]]; then
        echo "refresh-crds.sh: $plural $lversion is served by Flux $flux_version itself; drop it from legacy" >&2
        exit 1
      fi
      ltag="$(component_tag "$component" "$lrelease")"
      ldoc="$(read_file "$component" "$ltag" "$path")"
      check_crd "$component $ltag $path" <<<"$ldoc"
      block="$(version_entry "$lversion" <<<"$ldoc")"
      if [[ -z "$block" ]]; then
        echo "refresh-crds.sh: $component $ltag $path has no version $lversion" >&2
        exit 1
      fi
      extra+="$block"$'\n'
      header+=$'\n'"# Version $lversion (dropped by Flux $flux_version, still served by Conflux, served: true, storage: false): fluxcd/flux2 $lrelease, https://github.com/fluxcd/$component tag $ltag path $path"
    done
    {
      echo "# Flux's CustomResourceDefinition, written by deploy/refresh-crds.sh; do not edit by hand, re-run the script."
      echo "# Flux release: fluxcd/flux2 $flux_version ($base)"
      echo "$header"
      echo "# Conflux's changes: metadata.labels app.kubernetes.io/part-of: conflux${extra:+; the versions above appended to spec.versions}"
      # the legacy entries go right after the last entry of spec.versions (controller-gen writes versions last in spec)
      # (ENVIRON, not -v: awk -v would read the backslashes of the schemas' patterns as escapes)
      EXTRA="$extra" awk '
        BEGIN { extra = ENVIRON["EXTRA"] }
        function put() { if (inv && extra != "") printf "%s", extra; inv = 0 }
        NR == 1 && $0 == "---" { next }
        /^  versions:$/ { inv = 1; print; next }
        inv && /^(  )?[^ -]/ { put() }
        { print }
        $0 == "metadata:" { print "  labels:"; print "    app.kubernetes.io/part-of: conflux" }
        END { put() }' <<<"$doc"
    } >"$out/$plural.yaml"
    echo "$plural.yaml <- fluxcd/$component $tag $path${extra:+ (+ legacy versions)}"
  done <<<"${crds[$component]}"
done

cp "$out"/*.yaml "$here"/
