#!/usr/bin/env bash
# The MTTP benchmark of issue #17, shaped like fluxcd/flux-benchmark: N Kustomizations (or HelmReleases of podinfo's
# chart) reconciled by a fresh local installation with the embedded defaults. One line per run: N, seconds from the
# bootstrap to all Ready, seconds until the services were up, peak RSS summed over every process, CPU seconds.
#
# Usage, from the project root:
#   bash bench/mttp.sh [--kustomizations=100,1000,10000] [--helmreleases=100,1000] [--timeout=30m]
#                      [--service-jvm-options="-XX:+UseSerialGC -Xmx640m ..."] [--separate-jvms]
# With no option: --kustomizations=100,1000 --helmreleases=100. Each N runs in a fresh installation, one after
# another. The four services run in one JVM, as `conflux up` runs them; --separate-jvms gives each its own JVM.
# Environment: BENCH_SKIP_BUILD=1 reuses the built modules as they are.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

kustomizations=""
helmreleases=""
timeout=30m
jvm_options=()
for arg in "$@"; do
  case "$arg" in
    --kustomizations=*) kustomizations="${arg#*=}" ;;
    --helmreleases=*) helmreleases="${arg#*=}" ;;
    --timeout=*) timeout="${arg#*=}" ;;
    --service-jvm-options=*) jvm_options+=("$arg") ;;
    --separate-jvms) jvm_options+=("$arg") ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done
if [ -z "$kustomizations" ] && [ -z "$helmreleases" ]; then
  kustomizations=100,1000
  helmreleases=100
fi

. bench/lib.sh
build_bench

run() {
  bench_java MttpBenchmark --kind="$1" --count="$2" --timeout="$timeout" ${jvm_options[@]+"${jvm_options[@]}"}
}
status=0
for n in ${kustomizations//,/ }; do run kustomizations "$n" || status=1; done
for n in ${helmreleases//,/ }; do run helmreleases "$n" || status=1; done
exit $status
