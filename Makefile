# PYTI's two set-up commands for a fresh Debian machine are `make demo` and `make test`.
# Both install what is missing first (Debian packages through apt-get; Go modules through the Go
# module proxy) and say what they do.

GO        ?= go
BIN       := bin/pyti
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/pyti/pyti/internal/buildinfo.Version=$(VERSION)
TESTFLAGS ?= -timeout 75m
# The clean image the matrix tests run on (built once with debootstrap, then reused).
TEST_IMAGE_DATA ?= $(HOME)/.cache/pyti/test-images

.PHONY: all deps build test test-image vet demo bench detect fmt clean

all: build

deps:
	@./scripts/install-deps.sh
	@echo "deps: downloading Go modules"
	@$(GO) mod download

build: deps
	@echo "build: $(BIN)"
	@CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/pyti

vet:
	@echo "vet: gofmt and go vet"
	@test -z "$$(gofmt -l cmd internal *.go)" || { echo "gofmt would change:"; gofmt -l cmd internal *.go; exit 1; }
	@$(GO) vet ./...

test-image: build
	@PYTI_TEST_IMAGE_DATA_DIR=$(TEST_IMAGE_DATA) ./scripts/test-image.sh

test: deps vet test-image
	@echo "test: go test ./... (matrix tests on the image in $(TEST_IMAGE_DATA))"
	@PYTI_TEST_IMAGE_DATA_DIR=$(TEST_IMAGE_DATA) $(GO) test $(TESTFLAGS) ./...

demo: build
	@./scripts/demo.sh

bench: build
	@./scripts/bench.sh

detect: build
	@./scripts/detect.sh

fmt:
	@gofmt -w cmd internal *.go

clean:
	rm -rf bin
