#!/bin/sh
# Regenerates conformance/krusty from a kustomize snapshot (see krusty_cases.py for the case layout).
#   generate.sh GIT_DIR [TAG]
# GIT_DIR: a kubernetes-sigs/kustomize git directory (e.g. from `git clone --bare`); TAG defaults to
# kustomize/v5.7.1. The examples' expected output comes from the reference kubectl
# (${CONFLUX_REF_KUBECTL:-~/.cache/conflux-ref/bin/kubectl}, ../../shared/tools/install-reference-tools.sh);
# without it the examples are listed as unparsed.
# Helm charts the helm tests pull are vendored into their cases from git snapshots of the charts' sources:
# CONFLUX_CHART_SOURCES holds space-separated REPO_URL=GIT_DIR:TAG_FORMAT:PATH_FORMAT entries ({name}, {version}),
# e.g. https://itzg.github.io/minecraft-server-charts=/path/to/itzg/minecraft-server-charts.git:{name}-{version}:charts/{name}
# (a bare clone of github.com/itzg/minecraft-server-charts); a chart without a source leaves its test excluded.
# TAG_FORMAT @release-commit is for repositories that tag no chart release: the oldest commit whose
# PATH_FORMAT/Chart.yaml has the version, e.g.
# oci://registry-1.docker.io/bitnamicharts=/path/to/bitnami/charts.git:@release-commit:bitnami/{name}
# The dependencies a vendored chart's Chart.lock pins are vendored under its charts/ from their repository's source.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
git_dir=${1:?usage: generate.sh GIT_DIR [TAG]}
tag=${2:-kustomize/v5.7.1}
kubectl=${CONFLUX_REF_KUBECTL:-$HOME/.cache/conflux-ref/bin/kubectl}
set --
for s in ${CONFLUX_CHART_SOURCES:-}; do
  set -- "$@" --chart-source "$s"
done
if [ -x "$kubectl" ]; then
  exec python3 "$here/krusty_cases.py" "$git_dir" "$tag" "$here/krusty" --reference "$kubectl" "$@"
fi
exec python3 "$here/krusty_cases.py" "$git_dir" "$tag" "$here/krusty" "$@"
