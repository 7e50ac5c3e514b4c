# asyncdemo: make run (build and run a lesson), make test (everything CI runs),
# make install (the binary into $GOBIN, or ~/.local/bin), make bench (asyncdemo
# against CPython, one table).
GO      ?= go
BIN     := bin/asyncdemo
LESSON  ?= gather
ARGS    ?=
PKGS    := ./...
# Where make install puts asyncdemo: $GOBIN if set, else ~/.local/bin.
BINDIR  ?= $(or $(shell $(GO) env GOBIN),$(HOME)/.local/bin)

.PHONY: build run test lint bench bench-all clean install

# -buildvcs=auto stamps the commit that asyncdemo --version shows, also
# where GOFLAGS turns stamping off (it needs git, and a checkout whose .git
# is a directory: not a git worktree).
build:
	CGO_ENABLED=0 $(GO) build -buildvcs=auto -trimpath -ldflags='-s -w' -o $(BIN) ./cmd/asyncdemo

install: build
	install -d $(BINDIR)
	install -m 755 $(BIN) $(BINDIR)/asyncdemo
	@echo "installed $(BINDIR)/asyncdemo"
	@case ":$$PATH:" in *":$(BINDIR):"*) ;; *) echo "$(BINDIR) is not on your PATH: add it, or run make install BINDIR=DIR";; esac

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

# make bench prints the table of issues 17 and 13: asyncdemo beside CPython,
# measured in the same run, cold (a fresh process) where a user would be:
# gather of 10^6 and 10^5 tasks through the CLI against the Python twin,
# memory per task, the reliable Redis drain (10^5 messages, 8 consumers, a
# redis-server of its own) against redis.asyncio and redis-benchmark's RPOP,
# and asyncdemo explain's overhead on 10^5 tasks and 10^6 awaits against the
# same Python alone. About 3.5 minutes and 5 GB of memory;
# ASYNCDEMO_BENCH_QUICK=1 leaves out the million tasks (about 1.5 minutes),
# ASYNCDEMO_BENCH_COUNT=3 gives medians of 3 rounds.
# Needs python3 (the drain's Python side: python3-redis) and redis-server
# (redis-benchmark ships with it); a part whose tool is missing is skipped
# with a message. BENCHMARKS.md records the figures.
bench:
	$(GO) test -run '^$$' -bench '^BenchmarkTable$$' -benchtime 1x -count 1 -timeout 60m ./cmd/asyncdemo/

# Every benchmark, each beside CPython running the same work in the same run
# when python3 is on PATH. The queue drain needs redis-server (skipped
# without it); the queue and HTTP figures' Python side needs redis and
# aiohttp (python3-redis, python3-aiohttp).
bench-all:
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 -timeout 60m ./demos/aio/ ./timing/ ./cmd/asyncdemo/ ./demos/redisqueue/ ./demos/smsapi/ ./demos/explain/

clean:
	rm -rf bin
