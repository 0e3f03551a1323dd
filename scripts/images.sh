#!/usr/bin/env bash
# Builds the two container images as tarballs with Jib (no Docker daemon needed):
#   node-agent/target/jib-image.tar          ghcr.io/k8s-rdma/node-agent:<version>
#   scheduler-extender/target/jib-image.tar  ghcr.io/k8s-rdma/scheduler-extender:<version>
# Jib pulls the base image (eclipse-temurin:21-jre from Docker Hub by default). Set
# JIB_FROM_IMAGE to use a mirror, e.g. JIB_FROM_IMAGE=mirror.example.com/library/eclipse-temurin:21-jre.
# Load a tarball with `docker load -i ...`, `podman load -i ...` or `ctr -n k8s.io images import ...`.
set -uo pipefail
cd "$(dirname "$0")/.."

JAVA_HOME=${JAVA_HOME:-$(./scripts/find-jdk.sh)}
[ -n "$JAVA_HOME" ] || { echo "no JDK 21 or newer found: install one or set JAVA_HOME" >&2; exit 1; }
export JAVA_HOME

args=(-B -ntp -pl node-agent,scheduler-extender -am package -DskipTests -Djacoco.skip=true jib:buildTar)
[ -n "${JIB_FROM_IMAGE:-}" ] && args+=("-Djib.from.image=$JIB_FROM_IMAGE")

mkdir -p target
log=target/images.log
if ./mvnw "${args[@]}" >"$log" 2>&1; then
  grep -E 'Built image tarball' "$log"
  exit 0
fi

# Name the cause when it is the registry, which is the usual one on a closed network.
if grep -qiE 'UnknownHost|Connect(ion)? timed out|Network is unreachable|Connection refused|No route to host|I/O error for image|Failed to pull base image|could not reach|HttpHostConnect|SSLHandshake' "$log"; then
  base=${JIB_FROM_IMAGE:-$(sed -n 's:.*<jib.from.image>\(.*\)</jib.from.image>.*:\1:p' pom.xml)}
  echo "make images: the base image registry for '$base' (registry-1.docker.io / ghcr.io) is unreachable from here (details: $log); build where it is reachable, or use a mirror: JIB_FROM_IMAGE=<mirror>/eclipse-temurin:21-jre make images" >&2
  exit 2
fi
tail -n 40 "$log" >&2
echo "make images failed (full log: $log)" >&2
exit 1
