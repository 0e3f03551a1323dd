#!/usr/bin/env bash
# Runs the benchmarks after `make build` and prints where the results went (see docs/benchmarks.md).
# Each benchmark is one section below; add the next one (e.g. the scheduler extender) the same way.
# Extra arguments go to every driver, e.g. `scripts/bench.sh --trees=demo --profiles=tuned-c1`.
set -euo pipefail
cd "$(dirname "$0")/.."

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
RESULTS=${RESULTS:-bench/results}
cp_file=bench/target/classpath.txt # written by the bench module at package time
if [ ! -f "$cp_file" ] || [ ! -f node-agent/target/node-agent.jar ] || [ ! -d node-agent/target/test-classes ] \
  || [ ! -f scheduler-extender/target/scheduler-extender.jar ]; then
  echo "build first: make build" >&2
  exit 1
fi
CP="bench/target/classes:$(cat "$cp_file")"
mkdir -p "$RESULTS"

run_driver() { # main-class args...
  local main=$1; shift
  "$JAVA" -cp "$CP" "$main" --results="$RESULTS" "$@"
}

# --- node agent: time to ready, GET /vfs latency/throughput, 304, RSS (demo and 32x64 trees) ---
run_driver io.k8srdma.bench.agent.AgentBenchmark \
  --agent-jar=node-agent/target/node-agent.jar \
  --hosts-cp=node-agent/target/test-classes \
  "$@"

# --- placement algorithm alone (JMH): one pod on 500 prepared nodes, preparing 500 nodes ---
"$JAVA" -cp "$CP" org.openjdk.jmh.Main PlacementBenchmark \
  -rf text -rff "$RESULTS/placement-$(date -u +%Y%m%d-%H%M%S).txt"

# --- decoding a pod (JMH): whole, and straight to what the extender keeps; ExtenderArgs and watch events ---
"$JAVA" -cp "$CP" org.openjdk.jmh.Main PodDecodeBenchmark \
  -rf text -rff "$RESULTS/pod-decode-$(date -u +%Y%m%d-%H%M%S).txt"

# --- the extender's informers: heap per pod and per node, whole and as kept (own heap: -Xmx3g) ---
"$JAVA" -Xmx3g -XX:+UseParallelGC -cp "$CP" io.k8srdma.bench.extender.InformerFootprint \
  --results="$RESULTS"

# --- scheduler extender: filter/prioritize/bind cycles, poll rounds, heap and RSS (1k/5k/10k nodes) ---
run_driver io.k8srdma.bench.extender.ExtenderBenchmark \
  --extender-jar=scheduler-extender/target/scheduler-extender.jar \
  "$@"

# --- scheduler extender: its first poll round over 400 agents with ~250 KB inventories ---
run_driver io.k8srdma.bench.extender.FirstRoundBenchmark \
  --extender-jar=scheduler-extender/target/scheduler-extender.jar \
  --jvm-flags="-Xmx768m -XX:+UseParallelGC -XX:-TieredCompilation -XX:ReservedCodeCacheSize=128m -XX:+ExitOnOutOfMemoryError" \
  --concurrency=16,64,256
echo
echo "Results: $(ls -t "$RESULTS"/*.md | head -n 5 | tr '\n' ' ')"
