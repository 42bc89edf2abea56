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

if [ "${BENCH_SKIP_BUILD:-}" != 1 ] || [ ! -f bench/target/runtime-classpath.txt ]; then
  echo "building the services and conflux-bench..."
  ./mvnw -q -B -pl webhook-receiver,renderer,applier,notifier,bench -am package -DskipTests
fi

java -cp "bench/target/classes:$(cat bench/target/runtime-classpath.txt)" io.conflux.bench.DependsOnLatencyBenchmark \
  --project="$root" "$@"
