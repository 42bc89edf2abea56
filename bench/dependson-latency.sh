#!/usr/bin/env bash
# Benchmark of issue #4: the dependsOn latency of seed 004's eight-layer platform
# (e2e/src/test/resources/platform) on the local runtime — per layer, the time from the layer below turning Ready at
# a new revision to the layer's own reconcile starting — over several commits, against Flux's default
# 30 s dependency requeue.
#
# Usage, from the project root:  bash bench/dependson-latency.sh [--rounds=5] [--rollout=1s]
# Environment: BENCH_SKIP_BUILD=1 reuses the built modules as they are.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

. bench/lib.sh
build_bench

bench_java DependsOnLatencyBenchmark "$@"
