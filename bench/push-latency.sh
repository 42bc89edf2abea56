#!/usr/bin/env bash
# The push-latency benchmark of issue #17: one Kustomization on a fresh local installation; R pushes, each answered by
# a signed GitHub push webhook; the time from the webhook's request to the changed object seen on the cluster.
# Prints each push and p50, p90, p99, max.
#
# Usage, from the project root:  bash bench/push-latency.sh [--pushes=20] [--pause=1s]
# Environment: BENCH_SKIP_BUILD=1 reuses the built modules as they are.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

. bench/lib.sh
build_bench

bench_java PushLatencyBenchmark "$@"
