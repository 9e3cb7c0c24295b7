# Turnpike — make run starts the platform; make test runs every test.
SHELL := /bin/bash
GO ?= go
BIN := bin
STATICCHECK_VERSION := v0.8.2
export GOFLAGS := -buildvcs=false

.PHONY: run build web backend gateway temporal-dev test test-go test-web test-e2e lint bench tools clean

## run: build everything and start the whole platform on embedded defaults
run: build temporal-dev
	@mkdir -p data
	@echo "==> starting Turnpike (Ctrl-C stops everything)"
	@TURNPIKE_TEMPORAL_DEV_BIN=$(CURDIR)/$(BIN)/temporal-dev exec ./$(BIN)/turnpike serve

## build: console, backend and gateway binaries into bin/
build: web backend gateway

web: web/dist/index.html

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 20+ to build the console"; exit 1; }
	@echo "==> installing console dependencies (npm ci, ~1 min the first time)"
	@cd web && npm ci --no-audit --no-fund --loglevel=error

web/dist/index.html: web/node_modules/.package-lock.json $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.ts
	@echo "==> building the console (vite)"
	@cd web && npm run build --silent

backend:
	@echo "==> building bin/turnpike"
	@$(GO) build -o $(BIN)/turnpike ./backend/cmd/turnpike

gateway:
	@echo "==> building bin/gateway"
	@$(GO) build -o $(BIN)/gateway ./gateway/cmd/gateway

## temporal-dev: the Temporal dev server (own module; the first build takes 15-20 minutes)
temporal-dev: $(BIN)/temporal-dev

$(BIN)/temporal-dev: workflows/devserver/main.go workflows/devserver/go.mod workflows/devserver/go.sum
	@echo "==> building the Temporal dev server into $(BIN)/temporal-dev"
	@echo "    the first build compiles the whole Temporal server: 15-20 minutes on 2 cores; later builds take seconds"
	@cd workflows/devserver && $(GO) build -o ../../$(BIN)/temporal-dev . & pid=$$!; \
	  start=$$(date +%s); while kill -0 $$pid 2>/dev/null; do sleep 30; kill -0 $$pid 2>/dev/null && echo "    ... still compiling Temporal ($$(( $$(date +%s) - start ))s)"; done; wait $$pid

## tools: what the tests need beyond Go (Chromium, wrk, staticcheck)
tools:
	@bash scripts/install-test-deps.sh

## test: install what the tests need, then lint and run every test
test: tools web temporal-dev lint test-go test-web test-e2e

lint:
	@echo "==> gofmt, go vet, staticcheck"
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@$(GO) vet ./...
	@test -x $(BIN)/staticcheck || GOBIN=$(CURDIR)/$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@./$(BIN)/staticcheck ./...

test-go:
	@echo "==> go test -race ./..."
	@$(GO) test -race -count=1 -timeout 20m ./...

test-web:
	@echo "==> console unit tests (vitest)"
	@cd web && npm test --silent

test-e2e: web temporal-dev
	@echo "==> end-to-end tests (Postgres, Redis, Temporal dev server, two gateways, headless Chromium)"
	@mkdir -p e2e/artifacts
	@TURNPIKE_TEMPORAL_DEV_BIN=$(CURDIR)/$(BIN)/temporal-dev $(GO) test -tags e2e -count=1 -timeout 30m -v ./e2e/... ./workflows/deploy/... 2>&1 | tee e2e/artifacts/e2e.log | grep -E '^(=== RUN|--- |PASS|FAIL|ok|\s+[a-z_]+_test.go)' ; exit $${PIPESTATUS[0]}

## bench: load test through one gateway and straight to the upstream (wrk), plus Go benchmarks
bench:
	@bash scripts/bench.sh

clean:
	rm -rf $(BIN) web/dist/assets web/dist/index.html e2e/artifacts
