# Shared by the local-runtime benchmark scripts (sourced, not run): builds the services and conflux-bench unless
# BENCH_SKIP_BUILD=1 and they were built, and runs a bench class on the bench module's runtime classpath.
# Expects $root (the project root) and the current directory to be it.
build_bench() {
  if [ "${BENCH_SKIP_BUILD:-}" != 1 ] || [ ! -f bench/target/runtime-classpath.txt ]; then
    echo "building the services and conflux-bench..."
    ./mvnw -q -B -pl webhook-receiver,renderer,applier,notifier,bench -am package -DskipTests
  fi
}

# bench_java CLASS ARGS... — runs io.conflux.bench.CLASS with the CLI's JVM options, malloc arenas (MALLOC_ARENA_MAX,
# 2 unless set) and logging set-up, as ./conflux runs the CLI.
bench_java() {
  local class=$1
  shift
  MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" java @"$root/cli/host-jvm.options" -cp "bench/target/classes:$(cat bench/target/runtime-classpath.txt)" \
    -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    -Dlogging.configuration="file:$root/cli/src/main/resources/logging.properties" \
    "io.conflux.bench.$class" --project="$root" "$@"
}
