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

if [ "${BENCH_SKIP_BUILD:-}" != 1 ] || [ ! -f bench/target/runtime-classpath.txt ]; then
  echo "building the services and conflux-bench..."
  ./mvnw -q -B -pl webhook-receiver,renderer,applier,notifier,bench -am package -DskipTests
fi

java -cp "bench/target/classes:$(cat bench/target/runtime-classpath.txt)" \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -Dlogging.configuration="file:$root/cli/src/main/resources/logging.properties" \
  io.conflux.bench.PushLatencyBenchmark --project="$root" "$@"
