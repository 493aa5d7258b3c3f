# CRM Workbook. `make run` builds the course site; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONHASHSEED := 0
# Where the real public datasets are: the team's shared copy when it sits beside the clone,
# else whatever CRMLIB_DATA says, else crmlib's per-user cache (downloads on first use).
ifneq ($(wildcard ../shared/datasets),)
export CRMLIB_DATA ?= $(abspath ../shared/datasets)
endif

.PHONY: run test browser lab data exercises notebooks timing bench lock clean

# The environment: exact versions from requirements.lock, which also installs crmlib (.) and
# the course toolkit (course/) in editable mode.
$(STAMP): requirements.lock pyproject.toml course/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed, found " + sys.version.split()[0])'
	@echo "==> Creating $(VENV) and installing the locked packages (first time: a few minutes)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -r requirements.lock
	@touch $(STAMP)

# Execute every notebook into build/executed, then build the course site into build/html.
run: $(STAMP)
	$(BIN)/crm-workbook build

test: $(STAMP) browser
	CRM_WORKBOOK_HEADLESS=1 $(BIN)/python -m pytest -n 2 --dist loadfile tests notebooks solutions ko/notebooks ko/solutions \
		--nbval --nbval-sanitize-with tests/sanitize.cfg --nbval-current-env --nbval-cell-timeout 90 \
		--doctest-modules crmlib course/crm_workbook

# The browser tests (tests/test_browser.py) drive the system's Chromium; Playwright's own
# browser download is not used. A fresh machine gets it from apt when we run as root, with a
# CJK font so that Korean text renders in screenshots.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
browser:
	@if [ ! -x $(CHROMIUM) ] || [ ! -f $(CJK_FONT) ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "==> Installing Chromium and a CJK font for the browser tests (apt-get)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				chromium fonts-noto-cjk; \
		else \
			echo "The browser tests need $(CHROMIUM) and fonts-noto-cjk. Install them as root:" >&2; \
			echo "    sudo apt-get install -y chromium fonts-noto-cjk" >&2; \
			exit 1; \
		fi; \
	fi

lab: $(STAMP) exercises
	$(BIN)/jupyter lab --ip=127.0.0.1 --no-browser --allow-root --notebook-dir=.

data: $(STAMP)
	$(BIN)/crm-workbook data

exercises: $(STAMP)
	$(BIN)/crm-workbook exercises

# For authors: re-execute chapters, cases and solutions in place (the nbval reference),
# record the answer keys, and regenerate exercises.
notebooks: $(STAMP)
	$(BIN)/crm-workbook execute --all

timing: $(STAMP)
	$(BIN)/crm-workbook timing

# Benchmarks need the reference tools (DuckDB, pyfim, lifetimes) in an environment of their own.
.venv-bench/.installed: requirements.lock bench/requirements.txt pyproject.toml
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet -r requirements.lock -r bench/requirements.txt
	@touch $@

bench: .venv-bench/.installed
	.venv-bench/bin/python bench/run.py

lock:
	$(PYTHON) -m pip install --quiet uv && $(PYTHON) -m uv pip compile requirements.in \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 --no-header \
		--annotation-style line -o requirements.lock

clean:
	rm -rf build $(VENV) .venv-bench
