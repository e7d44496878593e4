# Wraps the common commands; CMake does the building.
#   make run     build and start parleyd with the embedded default configuration
#   make check   build and pass every test, then again under ASan+UBSan
#   make bench   parleyd against ngircd, InspIRCd, ircd-hybrid and the limit relay;
#                writes docs/performance.md (BENCH_QUICK=1 for a short pass)
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
WERROR     ?= ON
ARGS       ?=

.PHONY: all build run check test asan deps test-deps clean bench

all: build

deps:
	@scripts/deps.sh

test-deps:
	@scripts/deps.sh test

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARLEY_WERROR=$(WERROR)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/parleyd $(ARGS)

test: build test-deps
	cd $(BUILD) && ctest --output-on-failure

$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPARLEY_WERROR=$(WERROR) \
	    -DPARLEY_SANITIZE=ON

asan: test-deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure

check: test asan

# Installs the peers from Debian (only here, never in check) and runs as root: the peers
# are started as 'nobody'.
bench: build
	bench/install-peers.sh
	/usr/bin/python3 bench/run.py --build $(abspath $(BUILD))

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
