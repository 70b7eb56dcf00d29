# secretwatch — see README.md. Every target installs the Debian packages it needs first, and only those
# (scripts/install-deps.sh build|demo|deb|test|bench says what each package is for).
SWIFT ?= swift
# The commit secretwatch_build_info{revision} reports (Package.swift passes it to the build); "unknown" without git.
export SECRETWATCH_REVISION ?= $(shell git rev-parse HEAD 2>/dev/null)
BIN   := .build/debug/secretwatch
RUN_DIR := .run

DEMO_DIR ?= secretwatch-demo

.PHONY: deps build release run demo test deb clean bench bench-release bench-scale bench-mail bench-startup bench-metrics bench-slow-clients bench-discovery bench-crypto bench-relay

# deps-build, deps-demo, deps-deb, deps-test, deps-bench: the packages of that mode.
deps-%:
	@scripts/install-deps.sh $*

deps: deps-test

build: deps-build
	$(SWIFT) build

# What ships: optimised, with the Swift runtime and Foundation linked in (--static-swift-stdlib), so that
# .build/release/secretwatch runs on a host without the Swift toolchain (it needs only Debian's libcurl4,
# libssl3, libsqlite3-0, libmicrohttpd12, libyaml-0-2 and zlib1g) and keeps ~5 MB fewer pages resident than the shared-library build.
release: deps-build
	$(SWIFT) build -c release --static-swift-stdlib

# A Debian package of the release build (stripped), in .build/deb/; docs/packaging.md says what it holds.
# lintian checks it when installed (scripts/install-deps.sh test installs it).
deb: deps-deb release
	@deb=$$(scripts/build-deb.sh --binary .build/release/secretwatch --output .build/deb) && echo "$$deb" && \
	  if command -v lintian >/dev/null; then lintian --fail-on error "$$deb"; else echo "lintian is not installed: not checked"; fi

# One evaluation pass of the example configuration on a local database, then its status and alarms.
run: build
	@mkdir -p $(RUN_DIR)
	SECRETWATCH_CLIENT_SECRET=example-placeholder-not-a-secret \
	  $(BIN) run --once --config examples/secretwatch.yml --database $(RUN_DIR)/secretwatch.db
	$(BIN) status --config examples/secretwatch.yml --database $(RUN_DIR)/secretwatch.db
	$(BIN) alarms --database $(RUN_DIR)/secretwatch.db

# The whole pipeline against local stand-ins for Entra ID and Exchange Online; Ctrl-C stops it.
demo: deps-demo build
	$(BIN) demo --dir $(DEMO_DIR)

test: deps-test
	$(SWIFT) build --build-tests
	SWIFT=$(SWIFT) scripts/run-tests.sh

# Benchmarks (not tests; figures are printed as tables, never asserted). All measure the release build.
bench: bench-scale bench-mail bench-startup bench-metrics bench-slow-clients bench-discovery bench-crypto bench-relay

bench-release: deps-bench release

# Scheduler and store at 10,000 and 100,000 watched credentials: pass time, resident memory, database size, scrape.
bench-scale: bench-release
	python3 bench/scale.py

# 1,000 alarm e-mails through the daemon vs a minimal client, curl per mail, and curl reusing one token.
bench-mail: bench-release
	/usr/bin/python3 bench/mail.py

# The Alertmanager webhook relay: 1,000 notifications of 10 alerts over one keep-alive connection (time from POST
# to 200), then how fast their mails leave compared with as many alarm mails.
bench-relay: bench-release
	/usr/bin/python3 bench/relay.py

# Start-up time and idle resident memory.
bench-startup: bench-release
	python3 bench/startup.py

# /healthz and /metrics latency while thousands of slow and idle clients hold connections.
bench-slow-clients: bench-release
	/usr/bin/python3 bench/slow_clients.py

# Discovery of 10,000 app registrations (20,000 credentials) from the Graph stand-in: the pass, the repeat pass,
# resident memory, and steady passes against the same number of configured credentials.
bench-discovery: bench-release
	python3 bench/discovery.py

# /metrics with 1,000 credentials against node_exporter's textfile collector and nginx serving the same bytes.
bench-metrics: deps-bench
	scripts/bench-metrics.sh

# Client-assertion signing: 1,000 PS256 and RS256 signatures (and verifications) with a throwaway 2048-bit key.
bench-crypto: deps-bench
	$(SWIFT) build -c release --product crypto-bench
	@dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$$dir/key.pem" -out "$$dir/cert.pem" -days 1 \
	    -subj /CN=crypto-bench 2>/dev/null && \
	  .build/release/crypto-bench "$$dir/key.pem" "$$dir/cert.pem" 1000

clean:
	rm -rf .build $(RUN_DIR) $(DEMO_DIR)
