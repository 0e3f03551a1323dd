# k8s-rdma: the two commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Find a JDK >= 21: JAVA_HOME if new enough, else the newest under /usr/lib/jvm.
JAVA_HOME := $(shell ./scripts/find-jdk.sh)
ifeq ($(JAVA_HOME),)
$(error no JDK 21 or newer found (Debian 12 ships only 17): install Temurin 21+ from Adoptium, or Debian 13's openjdk-21-jdk-headless, under /usr/lib/jvm or set JAVA_HOME)
endif
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)

MVN := ./mvnw -B -ntp
ifeq ($(CI),true)
MVN += -Dstyle.color=never
endif

.PHONY: help build test run fmt bench clean images

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

build: ## fat jars: node-agent/target/node-agent.jar, scheduler-extender/target/scheduler-extender.jar
	$(MVN) -DskipTests package

test: ## the whole suite: format check, enforcer, unit + integration tests, coverage report
	$(MVN) verify

fmt: ## reformat the Java sources (google-java-format)
	$(MVN) spotless:apply

run: build ## start the demo agent (and extender) on the bundled fake node
	./scripts/run-demo.sh

bench: build ## run the benchmarks and print results (see docs/benchmarks.md)
	./scripts/bench.sh

images: ## container image tarballs with Jib: <module>/target/jib-image.tar (needs the base image registry; JIB_FROM_IMAGE=<mirror image>)
	./scripts/images.sh

clean:
	$(MVN) clean
