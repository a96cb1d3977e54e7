# The two commands a newcomer needs:  make run  ·  make test
# Everything else here is what those two stand on. Read top to bottom.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
PORT   ?= 5000
# Links in emails point where the portal is served (the app never trusts the Host header for them).
export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
# The demo partnership `make run` loads: north-somerset, or hartlepool-stockton (two councils, one force, one ICB)
DEMO   ?= north-somerset
# One partnership per installation: another shape gets a database of its own (unless DATABASE_URL is set).
ifneq ($(DEMO),north-somerset)
export DATABASE_URL ?= sqlite:///$(CURDIR)/instance/$(DEMO).sqlite3
endif
STAMP  := .make

.PHONY: run test check bench-mixed bench-proofs setup setup-dev assets browser migrate demo check-ci soak bench audit clean

## make run — install, migrate, load the demo partnership and serve on http://127.0.0.1:$(PORT)
##   make run DEMO=hartlepool-stockton loads the two-area partnership instead (into an empty database)
run: setup migrate demo
	@echo "Serving on http://127.0.0.1:$(PORT) — demo accounts are listed in README.md (password: demo-password-2019)"
	@# Ctrl-C reaches the web server; the two helpers started with & ignore it (as every background job of a
	@# script does), so stop() ends them by their pids and waits. `kill 0` here once signalled make and this
	@# shell too, re-running its own trap until the shell crashed ("Segmentation fault", "Terminated").
	@$(FLASK) send-mail & mail=$$!; \
	  (trap 'kill $$! 2>/dev/null; exit 0' TERM; \
	   while true; do $(FLASK) send-reminders >/dev/null; $(FLASK) apply-retention >/dev/null; sleep 300 & wait $$!; done) & reminders=$$!; \
	  stop() { trap - INT TERM; kill $$mail $$reminders 2>/dev/null; wait 2>/dev/null; exit 0; }; \
	  trap stop INT TERM; \
	  $(FLASK) run --host 127.0.0.1 --port $(PORT); \
	  stop

## make test — the same set-up, then the whole suite (browser tests included)
test: setup-dev browser
	$(PY) -m pytest

## make check — the fast tier for the edit-and-test loop: everything but the browser tests (journeys and the
##   whole-site crawler), the slow ones (stress tests, the form crawl) and the soak, in parallel (pytest-xdist, one
##   worker per CPU); make test stays the whole suite
check: setup-dev
	$(PY) -m pytest -m "not browser and not slow" --ignore=tests/soak -n auto -q

## Python packages and built front-end assets
setup: $(STAMP)/venv $(STAMP)/assets
setup-dev: setup $(STAMP)/venv-dev

$(STAMP)/venv: requirements.txt
	@mkdir -p $(STAMP)
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed (Python 3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(STAMP)/venv-dev: requirements-dev.txt $(STAMP)/venv
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(STAMP)/npm: package.json package-lock.json
	@mkdir -p $(STAMP)
	npm ci --no-audit --no-fund
	touch $@

$(STAMP)/assets: $(STAMP)/npm static/build.mjs $(wildcard static/scss/*.scss static/js/*.js)
	npm run --silent build
	touch $@

assets: $(STAMP)/assets

## Debian's Chromium for the browser tests (Playwright cannot download its own here)
browser:
	@command -v chromium >/dev/null || { \
	  echo "Installing Chromium from Debian's packages for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v chromium >/dev/null || { echo "Chromium is required for the browser tests"; exit 1; }
	@command -v java >/dev/null || { \
	  echo "Installing Java from Debian's packages for the Nu HTML Checker (vnu-jar)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; }
	@command -v java >/dev/null || { echo "Java is required for the whole-site HTML checks"; exit 1; }

## make soak — 60 s of mixed traffic on PostgreSQL through gunicorn (4 workers), then 60 s more with a worker
## killed and the database connections dropped; nothing may be lost or half-written (tests/soak/soak.py)
soak: setup-dev
	$(PY) -m tests.soak.soak --seconds $${SOAK_SECONDS:-60}

## make bench — benchmarks against a bare Flask baseline (wrk from Debian's packages); writes bench/results/latest.md
bench: setup-dev
	@command -v wrk >/dev/null || { \
	  echo "Installing wrk from Debian's packages for the benchmarks"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/run.py
	$(PY) bench/mixed.py
	$(PY) bench/proofs.py

## make bench-proofs — only the log's proofs at 1,000,000 entries: served and checked (bench/proofs.py)
bench-proofs: setup-dev
	$(PY) bench/proofs.py

## make bench-mixed — only the mixed-load table: 16 signed-in readers while others write (bench/mixed.py)
bench-mixed: setup-dev
	$(PY) bench/mixed.py

## make audit — Lighthouse's mobile audit of the consultation page (as a young person) and the public pages;
## prints the scores and writes bench/results/audit.md (Lighthouse is installed into .audit/, not the app's npm tree)
LIGHTHOUSE_VERSION := 12.8.2
audit: setup-dev browser
	@grep -qs "\"version\": \"$(LIGHTHOUSE_VERSION)\"" .audit/node_modules/lighthouse/package.json || npm install --no-audit --no-fund --no-save \
	  --prefix .audit lighthouse@$(LIGHTHOUSE_VERSION)
	$(PY) bench/audit.py

migrate: setup
	$(FLASK) db upgrade

demo: setup
	$(FLASK) demo-data --shape $(DEMO)

clean:
	rm -rf $(VENV) node_modules static/dist $(STAMP) .pytest_cache .audit
