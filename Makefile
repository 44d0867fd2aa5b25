# Touchpoint — run `make help` for the targets.

GO      ?= go
BIN     := bin/touchpoint
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build bin/touchpoint
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/touchpoint

.PHONY: demo
demo: build ## Build and serve Touchpoint with a realistic demo data set
	./$(BIN) demo

.PHONY: test
test: ## Run every check and test (gofmt, vet, unit, end-to-end)
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 45m ./...

.PHONY: assets
assets: ## Rebuild the dashboard's front-end files (web/static/build) from web/ui/package-lock.json
	cd web/ui && npm ci --ignore-scripts --no-audit --no-fund && node build.mjs

.PHONY: assets-check
assets-check: ## Check that web/static/build is what the lockfile builds
	cd web/ui && npm ci --ignore-scripts --no-audit --no-fund && rm -rf .check && node build.mjs .check
	diff -r web/ui/.check web/static/build && rm -rf web/ui/.check

.PHONY: fuzz
fuzz: ## Fuzz the decoders of untrusted input for 1 minute each
	$(GO) test -run XXX -fuzz '^FuzzDecode$$' -fuzztime 60s .
	$(GO) test -run XXX -fuzz FuzzNDJSON -fuzztime 60s ./importer/
	$(GO) test -run XXX -fuzz FuzzCSV -fuzztime 60s ./importer/
	$(GO) test -run XXX -fuzz FuzzAnalyticsForm -fuzztime 60s ./web/
	$(GO) test -run XXX -fuzz FuzzPath -fuzztime 60s ./internal/jsonpath/
	$(GO) test -run XXX -fuzz FuzzHookEvents -fuzztime 60s ./feedback/
	$(GO) test -run XXX -fuzz FuzzFormAnswer -fuzztime 60s ./survey/
	$(GO) test -run XXX -fuzz FuzzDecodeWidgetRequest -fuzztime 60s ./httpapi/
	$(GO) test -run XXX -fuzz FuzzSafeNext -fuzztime 60s ./web/
	$(GO) test -run XXX -fuzz FuzzReadTSV -fuzztime 60s ./text/
	$(GO) test -run XXX -fuzz FuzzTokens -fuzztime 60s ./text/
	$(GO) test -run XXX -fuzz FuzzReadModel -fuzztime 60s ./text/
	$(GO) test -run XXX -fuzz FuzzSplitField -fuzztime 60s .
	$(GO) test -run XXX -fuzz '^FuzzDecodeJourney$$' -fuzztime 60s .
	$(GO) test -run XXX -fuzz FuzzSegmentDefinition -fuzztime 60s .

.PHONY: bench
bench: build ## Measure durable ingest throughput and latency
	./$(BIN) bench ingest

# The labelled sets the built-in sentiment models are trained on (see NOTICE).
SENTIMENT_DATA ?= ../shared/data/sentiment

.PHONY: models
models: build ## Retrain the built-in sentiment models from $(SENTIMENT_DATA)
	for lang in en vi th fa; do \
		./$(BIN) text train --lang $$lang --in $(SENTIMENT_DATA)/$$lang.train.tsv --out text/models/$$lang.tpm || exit 1; \
	done
	$(MAKE) build
	./$(BIN) text eval --sentiment-data $(SENTIMENT_DATA)

.PHONY: clean
clean: ## Remove build output
	rm -rf bin
