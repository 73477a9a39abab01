# Qianzhao (黔招) — the only set-up a fresh machine with Python ≥ 3.11 and make needs.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_LINK_MODE ?= copy

.PHONY: up test lint sync supergraph bench token clean-data demo

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

sync: $(UV)
	$(UV) sync --locked --all-packages

up: sync
	$(UV) run qianzhao up

test: sync
	$(UV) run pytest

lint: sync
	$(UV) run ruff check .

supergraph: sync
	$(UV) run qianzhao supergraph

bench: sync
	$(UV) run python bench/outbox.py
	$(UV) run python bench/footprint.py
	$(UV) run python bench/grievances_intake.py
	$(UV) run python bench/coordination_reactions.py
	$(UV) run python bench/gateway.py
	$(UV) run python bench/projects_scale.py
	$(UV) run python bench/soak.py
	$(UV) run python bench/subscriptions.py
	$(UV) run python bench/import.py
	$(UV) run python bench/report.py
	$(UV) run python bench/scorecards.py

demo: sync  # with `make up` running: load the synthetic demonstration data through the gateway
	$(UV) run qianzhao demo load

token: sync
	$(UV) run qianzhao token --role PROVINCE --region 520000

clean-data:
	rm -rf .data
