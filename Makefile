# secretwatch — see README.md. `make run` and `make test` install what they need first.
SWIFT ?= swift
BIN   := .build/debug/secretwatch
RUN_DIR := .run

DEMO_DIR ?= secretwatch-demo

.PHONY: deps build run demo test clean bench bench-metrics

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

# One evaluation pass of the example configuration on a local database, then its status and alarms.
run: build
	@mkdir -p $(RUN_DIR)
	SECRETWATCH_CLIENT_SECRET=example-placeholder-not-a-secret \
	  $(BIN) run --once --config examples/secretwatch.yml --database $(RUN_DIR)/secretwatch.db
	$(BIN) status --config examples/secretwatch.yml --database $(RUN_DIR)/secretwatch.db
	$(BIN) alarms --database $(RUN_DIR)/secretwatch.db

# The whole pipeline against local stand-ins for Entra ID and Exchange Online; Ctrl-C stops it.
demo: build
	$(BIN) demo --dir $(DEMO_DIR)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Benchmarks (not tests): /metrics with 1,000 credentials against node_exporter and nginx serving the same bytes.
bench: bench-metrics

bench-metrics: deps
	scripts/bench-metrics.sh

clean:
	rm -rf .build $(RUN_DIR) $(DEMO_DIR)
