#!/usr/bin/env bash
# The in-memory Kubernetes API server's store under N objects (issue #17): fabric8's mock CRUD store against the
# indexed store, side by side in one run. Prints, per store and N, the seconds to create N ConfigMaps and the mean
# microseconds per GET, merge PATCH, server-side apply and list, and the heap the objects hold.
#
# Usage, from the project root:
#   bash bench/api-server-store.sh [--counts=1000,10000] [--stores=FABRIC8_MOCK,INDEXED] [--samples=200]
# Environment: BENCH_SKIP_BUILD=1 reuses the compiled embedded module and its test classpath as they are.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
classpath=embedded/target/test-classpath.txt
if [ "${BENCH_SKIP_BUILD:-}" != 1 ] || [ ! -f "$classpath" ]; then
  echo "compiling the embedded module and its tests..."
  ./mvnw -q -B -pl embedded test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$root/$classpath"
fi
exec java -Xmx2g -XX:+UseSerialGC -cp "embedded/target/classes:embedded/target/test-classes:$(cat "$classpath")" \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  io.conflux.embedded.ApiServerStoreBenchmark "$@"
