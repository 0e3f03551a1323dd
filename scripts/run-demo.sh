#!/usr/bin/env bash
# Starts the demo: the node agent on a fake host built by the same builder the tests use
# (io.k8srdma.agent.testhost.Hosts#demo: 2 InfiniBand PFs x 8 VFs, 1 RoCE PF x 4 VFs, 3 VFs in use),
# and the scheduler extender on a static node map pointing at it. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

JAVA_HOME=$(./scripts/find-jdk.sh)
[ -n "$JAVA_HOME" ] || { echo "no JDK 21 or newer found: install one or set JAVA_HOME" >&2; exit 1; }
java() { "$JAVA_HOME/bin/java" "$@"; }

AGENT_PORT=${AGENT_PORT:-8089}
EXTENDER_PORT=${EXTENDER_PORT:-8888}
work=$(mktemp -d -t k8s-rdma-demo.XXXXXX)
host="$work/host"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

java -cp node-agent/target/test-classes io.k8srdma.agent.testhost.Hosts demo "$host"

java -jar node-agent/target/node-agent.jar \
  --server.port="$AGENT_PORT" \
  --k8s-rdma.agent.host-root="$host" \
  --k8s-rdma.agent.node-name=demo-node \
  --k8s-rdma.agent.netlink=false >"$work/agent.log" 2>&1 &
pids+=($!)

java -jar scheduler-extender/target/scheduler-extender.jar \
  --server.port="$EXTENDER_PORT" \
  --k8s-rdma.extender.kubernetes.enabled=false \
  --k8s-rdma.extender.static-agents.demo-node="http://127.0.0.1:$AGENT_PORT" >"$work/extender.log" 2>&1 &
pids+=($!)

wait_ready() { # url name
  for _ in $(seq 1 120); do
    if curl -fsS "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "$2 did not become ready; its log:" >&2
  cat "$work/$2.log" >&2
  exit 1
}
wait_ready "http://127.0.0.1:$AGENT_PORT/actuator/health/readiness" agent

cat <<EOT

k8s-rdma demo is running (logs in $work). Try:

  curl -s http://127.0.0.1:$AGENT_PORT/vfs | python3 -m json.tool
  curl -s 'http://127.0.0.1:$AGENT_PORT/vfs?pf=ibp26s0'
  curl -si http://127.0.0.1:$AGENT_PORT/vfs -H 'If-None-Match: W/"<generation>"'   # 304 when unchanged
  curl -s -X POST http://127.0.0.1:$AGENT_PORT/rescan
  curl -s http://127.0.0.1:$AGENT_PORT/getpfs                                          # RIT k8s-rdma format
  curl -s http://127.0.0.1:$AGENT_PORT/actuator/health/readiness
  curl -s http://127.0.0.1:$AGENT_PORT/actuator/prometheus | grep k8s_rdma

EOT
wait_ready "http://127.0.0.1:$EXTENDER_PORT/actuator/health/readiness" extender
  cat <<EOT
Scheduler extender on :$EXTENDER_PORT (static map demo-node -> agent):

  curl -s http://127.0.0.1:$EXTENDER_PORT/inventory
  curl -s -X POST http://127.0.0.1:$EXTENDER_PORT/filter -H 'Content-Type: application/json' \\
       -d @docs/examples/filter-request.json
  curl -s -X POST http://127.0.0.1:$EXTENDER_PORT/prioritize -H 'Content-Type: application/json' \\
       -d @docs/examples/filter-request.json

(bind needs a Kubernetes API; the demo runs without one, so /bind answers with that reason.)

EOT
echo "Press Ctrl-C to stop."
wait
