# Every target sets itself up from scratch in .venv; pip runs again only when a
# requirements file is newer than its stamp.

VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium

.PHONY: demo test bench chromium

demo: $(VENV)/.runtime-stamp
	$(VENV)/bin/streamlit run dashboard.py

test: $(VENV)/.dev-stamp chromium
	$(PY) -m pytest -q
	$(VENV)/bin/ruff check .

bench: $(VENV)/.runtime-stamp
	$(PY) bench/flow.py

$(PY):
	python3 -m venv $(VENV)

$(VENV)/.runtime-stamp: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-stamp: requirements-dev.txt requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# The browser tests use Debian's Chromium; never `playwright install`.
chromium:
	@if [ -x $(CHROMIUM) ]; then \
		:; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "Debian chromium is missing; install it with: sudo apt-get install chromium" >&2; \
		echo "(the browser tests skip without it, except in CI)" >&2; \
	fi
