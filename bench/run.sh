#!/usr/bin/env bash
# Benchmark of issue #3: the Java kustomize engine (JMH, warm JVM) against `kubectl kustomize`
# (one process per build) on every kustomization directory of ../shared/fixtures/repos that kubectl
# can build, plus a synthetic overlay of 2,000 objects. Prints a table and the geometric-mean ratio.
#
# Usage, from the project root:  bash bench/run.sh [--warmup=5] [--iterations=5]
#   [--iteration-seconds=1] [--forks=1] [--kubectl-runs=10] [--jmh-verbose] [--synthetic-only]
# Environment: KUBECTL=path uses that kubectl instead of the reference one;
#   BENCH_SKIP_BUILD=1 reuses bench/target as it is.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if [ -z "${KUBECTL:-}" ]; then
  bash ../shared/tools/install-reference-tools.sh >/dev/null
  KUBECTL="$HOME/.cache/conflux-ref/bin/kubectl"
fi
echo "reference: $("$KUBECTL" version --client | tr '\n' ' ')"

if [ "${BENCH_SKIP_BUILD:-}" != 1 ] || [ ! -f bench/target/runtime-classpath.txt ]; then
  echo "building conflux-kustomize and conflux-bench..."
  ./mvnw -q -B -pl bench -am package -DskipTests
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/conflux-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

java -cp "bench/target/classes:$(cat bench/target/runtime-classpath.txt)" io.conflux.bench.BenchMain \
  --kubectl="$KUBECTL" --fixtures="$root/../shared/fixtures/repos" --work="$work" "$@"
