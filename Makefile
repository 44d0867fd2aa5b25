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

.PHONY: fuzz
fuzz: ## Fuzz the decoders of untrusted input for 1 minute each
	$(GO) test -run XXX -fuzz FuzzDecode -fuzztime 60s .
	$(GO) test -run XXX -fuzz FuzzNDJSON -fuzztime 60s ./importer/
	$(GO) test -run XXX -fuzz FuzzCSV -fuzztime 60s ./importer/
	$(GO) test -run XXX -fuzz FuzzSplitField -fuzztime 60s .

.PHONY: bench
bench: build ## Measure durable ingest throughput and latency
	./$(BIN) bench ingest

.PHONY: clean
clean: ## Remove build output
	rm -rf bin
