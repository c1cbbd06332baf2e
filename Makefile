# podlike.swarm — make demo (the main job), make test (the whole suite), make images, make bench.
SHELL := /bin/bash
PYTHON ?= python3
COLLECTIONS_ROOT ?= /tmp/podlike-collections-$(shell id -u)
COLLECTION_LINK := $(COLLECTIONS_ROOT)/ansible_collections/podlike/swarm
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS_ROOT)
# Ansible's own files (ansible-lint installs the collection under $ANSIBLE_HOME/collections, ansible-test keeps its
# cache there) stay out of the user's ~/.ansible, where they would shadow an installed podlike.swarm.
export ANSIBLE_HOME ?= /tmp/podlike-ansible-home-$(shell id -u)

.PHONY: help deps engine swarm images demo demo-clean test lint sanity unit integration molecule examples bench bench-quick soak collection

help:
	@echo "make demo      deploy a demo pod stack on a local one-node Swarm and show it answering"
	@echo "make test      run the whole suite (lint, sanity, unit, integration on a real engine, molecule)"
	@echo "make images    build the controller image and the local test images (offline)"
	@echo "make examples  run the use-case playbooks and check what each pod does"
	@echo "make compat    the engine-facing tests on a current Docker engine, cgroup v1 and v2 (scripts/compat.sh)"
	@echo "make bench     run the benchmarks against the direct Docker API (about 15 minutes)"
	@echo "make bench-quick  the pod start, stop, failure and memory figures, N=1 and 3, 3 runs"
	@echo "make soak      long fault tests on a three-node Swarm in network namespaces"

deps:
	@$(PYTHON) -c "import ansible, yaml, jinja2, pytest, pytest_cov, docker" 2>/dev/null \
	  || $(PYTHON) -m pip install -q -r requirements-dev.txt

engine:
	@scripts/ensure-engine.sh

swarm:
	@scripts/ensure-engine.sh --swarm

images: engine
	@scripts/build-images.sh

collection:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn $(CURDIR) $(COLLECTION_LINK)

demo: deps swarm images collection
	@scripts/demo.sh

demo-clean:
	@scripts/demo.sh --remove

lint: deps collection
	ruff check plugins tests benchmarks
	ruff format --check plugins tests benchmarks
	@if [ -d roles ] && ls roles/*/tasks >/dev/null 2>&1; then cd $(COLLECTION_LINK) && ansible-lint --profile production roles playbooks; fi

sanity: deps
	@scripts/sanity.sh

unit: deps collection
	$(PYTHON) -m pytest tests/unit -q

integration: deps swarm images collection
	$(PYTHON) -m pytest tests/integration -q

compat: deps swarm images collection
	@scripts/compat.sh

molecule: deps swarm images collection
	@scripts/molecule.sh

examples: deps swarm images collection
	@playbooks/run-all.sh

# Molecule and the use-case playbooks run first so that pytest's summary closes the output; the unit tests
# report the line coverage of the pod core and the controller (unit tests alone).
test: deps swarm images collection lint sanity
	@scripts/molecule.sh
	@playbooks/run-all.sh
	@$(MAKE) --no-print-directory soak-short
	@scripts/compat.sh
	$(PYTHON) -m pytest tests/unit -q -p no:cacheprovider --cov-fail-under=85 --cov-report=term \
	  --cov=ansible_collections.podlike.swarm.plugins.module_utils.pod \
	  --cov=ansible_collections.podlike.swarm.plugins.module_utils.controller
	$(PYTHON) -m pytest tests/integration -q -p no:cacheprovider

bench: deps swarm images collection
	$(PYTHON) benchmarks/run.py

bench-quick: deps swarm images collection
	$(PYTHON) benchmarks/run.py --quick

soak: deps swarm images collection
	PODLIKE_SOAK=1 $(PYTHON) -m pytest tests/soak -q

# One soak scenario for make test: a node of a three-node Swarm lost and back, pods rescheduled, no leftovers.
soak-short: deps swarm images collection
	PODLIKE_SOAK=1 $(PYTHON) -m pytest -q -p no:cacheprovider \
	  tests/soak/test_node_faults.py::test_node_down_reschedules_pods_and_leaves_no_orphans
	@echo "soak-short figures:" && cat tests/soak/results.json
