# Skein: run `make help` for the targets.
GO      ?= go
BIN     := bin
PKGS    := ./...
# A newcomer's two commands are `make demo` and `make test`.

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

.PHONY: deps
deps: ## download Go modules
	$(GO) mod download

.PHONY: build
build: deps ## build bin/skein and bin/skein-demo
	$(GO) build -o $(BIN)/skein ./cli/cmd/skein
	$(GO) build -o $(BIN)/skein-demo ./cli/cmd/skein-demo

.PHONY: demo
demo: build ## a relay and three users on loopback: register, follow, post, profile, like, thread, search, mute, messages and group chat, pictures and a mirrored album, web UI, catch up
	$(BIN)/skein-demo --skein $(BIN)/skein

.PHONY: test
test: deps vet fmt-check bind-check jvm-test nat-test browser-deps ## all tests, with the race detector (fuzz seed corpora included; the web UI in a real browser)
	set -a && . ./$(BROWSER_ENV) && set +a && $(GO) test -race -count=1 -timeout 20m $(PKGS)

# browser-deps writes the paths of the browser and axe-core here, for the
# targets that run the web UI's browser tests.
BROWSER_ENV := $(BIN)/browser-deps.env

.PHONY: browser-deps
browser-deps: ## install chromium-headless-shell (apt-get, as root) and axe-core (npm, pinned) for the web UI's browser tests
	@mkdir -p $(BIN) && ./scripts/browser-deps.sh > $(BROWSER_ENV) && cat $(BROWSER_ENV)

.PHONY: screenshots
screenshots: deps browser-deps ## take the web UI's screenshots again (docs/screenshots/*.png) with the browser tests' browser
	set -a && . ./$(BROWSER_ENV) && set +a && SKEIN_SCREENSHOTS=$(CURDIR)/docs/screenshots \
	  $(GO) test -count=1 -run '^TestBrowserScreenshots$$' -v ./cli/internal/webui

.PHONY: nat-test
nat-test: deps ## skein processes behind simulated NATs in network namespaces (needs root; apt-installs iptables, conntrack)
	GO="$(GO)" ./scripts/nat-test.sh

.PHONY: vet
vet: ## go vet
	$(GO) vet $(PKGS)

.PHONY: fmt-check
fmt-check: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bind/build/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

.PHONY: bind-check
bind-check: deps ## fail if gobind skips part of ./mobile or core stops cross-compiling for android/ios
	GO="$(GO)" bind/check.sh

.PHONY: jvm-test
jvm-test: deps ## test the Java binding of ./mobile on this JVM (apt-installs liblog and junit4 if missing)
	GO="$(GO)" bind/jvm-test.sh

.PHONY: jvm-bench
jvm-bench: deps ## RSS of a JVM paging the feed from 8 threads, Go memory limit off and default (2 min)
	GO="$(GO)" bind/jvm-bench.sh

.PHONY: android
android: deps ## build bind/out/skein.aar (needs the Android SDK and NDK)
	GO="$(GO)" bind/android.sh

.PHONY: ios
ios: deps ## build bind/out/Skein.xcframework (needs macOS and Xcode)
	GO="$(GO)" bind/ios.sh

FUZZTIME ?= 30s
.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME each (default 30s)
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

.PHONY: bench
bench: deps ## run the benchmarks and write docs/BENCHMARKS.md
	./scripts/bench.sh

# The simulation of issue 16 (core/sim_test.go, docs/BENCHMARKS.md, "Scale: the 500-node simulation"):
# SIM_N nodes in one process; SIM_SWEEP=1 runs N = 50, 100, 200 and 500 and
# writes docs/sim-results.json and docs/sim-curves.svg. SIM_FLAGS adds
# TestSim's flags (-sim.duration, -sim.rate, -sim.churn, ... see sim_test.go).
# The settle bound is 20 s: posts reach every follower within 2 s of the
# window when nothing is lost, and a delivery lost with neither side away
# comes only with the periodic sync (5 minutes), so waiting longer measures
# nothing more and only stretches the run (to 2 min 8 s at 500 nodes).
SIM_N     ?= 500
SIM_SWEEP ?=
SIM_FLAGS ?=

.PHONY: sim
sim: deps ## the 500-node simulation, prints its table (SIM_N=n; SIM_SWEEP=1: N = 50..500 with docs/sim-curves.svg)
ifeq ($(SIM_SWEEP),1)
	$(GO) test -run '^TestSim$$' -count=1 -timeout 60m -v ./core/ -args -sim.sweep 50,100,200,500 -sim.duration 15s -sim.settle 20s -sim.out $(CURDIR)/docs/sim-results.json -sim.svg $(CURDIR)/docs/sim-curves.svg $(SIM_FLAGS)
else
	$(GO) test -run '^TestSim$$' -count=1 -timeout 20m -v ./core/ -args -sim.n $(SIM_N) -sim.duration 15s -sim.settle 20s $(SIM_FLAGS)
endif

.PHONY: clean
clean: ## remove build output
	rm -rf $(BIN) bind/build bind/out
