# asyncdemo: make run (build and run a lesson), make test (everything CI runs).
GO      ?= go
BIN     := bin/asyncdemo
LESSON  ?= gather
ARGS    ?=
PKGS    := ./...

.PHONY: build run test lint bench clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(BIN) ./cmd/asyncdemo

# make run LESSON=cancel ARGS="--interrupt --scale 0.5"
run: build
	./$(BIN) $(LESSON) $(ARGS)

test: lint
	$(GO) test -race -vet=off -count=1 $(PKGS) # vet ran in lint, with every analyzer

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet -race $(PKGS) # -race: vet compiles what the race tests compile, once

# asyncdemo is built static (no cgo) and without debug tables: it starts
# about 1.5 ms sooner (see BENCHMARKS.md).

# Benchmarks, each beside CPython running the same work in the same run when
# python3 is on PATH. BENCHMARKS.md records the figures. The queue drain
# needs redis-server (skipped without it); the queue and HTTP figures' Python
# side needs redis and aiohttp (python3-redis, python3-aiohttp).
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 ./demos/aio/ ./timing/ ./cmd/asyncdemo/ ./demos/redisqueue/ ./demos/smsapi/ ./demos/explain/

clean:
	rm -rf bin
