# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements/test.txt
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 --quiet

IMAGE  ?= mentorbot
ENGINE ?= $(shell command -v docker || command -v podman)

.PHONY: demo lint test bench install lock image clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Every package from the lock file, hash-checked; then the project itself
# (no dependencies of its own, built with the locked hatchling).
$(STAMP): $(BIN)/python pyproject.toml $(LOCK)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/mentorbot demo

# Lint and types first (seconds), then the suite.
lint: $(STAMP)
	$(BIN)/ruff check bot adapters scheduler tools tests bench
	$(BIN)/ruff format --check bot adapters scheduler tools tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q -n auto

bench: $(STAMP)
	$(BIN)/python -m bench

# The container image (deploy/Dockerfile), where a container engine runs.
image:
	@test -n "$(ENGINE)" || { echo "make image: neither docker nor podman is installed"; exit 1; }
	@$(ENGINE) info >/dev/null 2>&1 || { echo "make image: $(ENGINE) is installed but no container engine answers"; exit 1; }
	$(ENGINE) build -f deploy/Dockerfile -t $(IMAGE):$$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml) -t $(IMAGE):latest .

# Re-pin every dependency within pyproject.toml's ranges (see requirements/README.md).
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet uv
	$(UV_COMPILE) --extra test -o requirements/test.txt
	$(UV_COMPILE) -c requirements/test.txt -o requirements/runtime.txt
	echo hatchling | $(UV_COMPILE:pyproject.toml=-) -c requirements/test.txt -o requirements/build.txt

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
