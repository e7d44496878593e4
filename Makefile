# Wraps the common commands; CMake does the building.
#   make run     build and start parleyd with the embedded default configuration, on
#                127.0.0.1:6667 and, with TLS, 127.0.0.1:6697 (a self-signed certificate
#                for localhost is made in $(BUILD)/tls/ on the first run), its store
#                (accounts, registered channels) in $(BUILD)/parleyd.db, and the web
#                client on http://127.0.0.1:8080/
#   make check   build and pass every test, then again under ASan+UBSan, then fuzz
#   make fuzz    build the libFuzzer targets with clang (or clang-14) and run each
#                FUZZ_TIME seconds
#   make install install the programs, the example configuration, the man pages and the
#                systemd unit under PREFIX (default /usr/local), into DESTDIR if set
#   make bench   parleyd against ngircd, InspIRCd, ircd-hybrid and the limit relay;
#                writes docs/performance.md (BENCH_QUICK=1 for a short pass)
#   make bench-models  parleyd under --model event, fork and threads; writes the
#                figures in docs/models.md
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME  ?= 60
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
WERROR     ?= ON
ARGS       ?=
PREFIX     ?= /usr/local
DESTDIR    ?=
# The first of these on PATH builds the fuzz targets.
CLANG      ?= $(firstword $(foreach c,clang clang-14,$(shell command -v $(c) 2>/dev/null)))
TLS_DIR     = $(BUILD)/tls
RUN_FLAGS  ?= --listen 127.0.0.1:6667 --tls-listen 127.0.0.1:6697 \
	      --tls-cert $(TLS_DIR)/localhost.crt --tls-key $(TLS_DIR)/localhost.key \
	      --web-listen 127.0.0.1:8080

.PHONY: all build install run check test asan fuzz deps test-deps clean bench bench-models

all: build

deps:
	@sh scripts/deps.sh

test-deps:
	@sh scripts/deps.sh test

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARLEY_WERROR=$(WERROR) \
	    -DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The build directory is configured again only when PREFIX is not the one it was made
# for (the unit's paths depend on it).  Run as root (sudo make install), the files it
# wrote in $(BUILD) (install_manifest.txt, dependency lists) are given back to the
# directory's owner, so that a later make as that user can write them again.
install: build
	@grep -qx 'CMAKE_INSTALL_PREFIX:PATH=$(PREFIX)' $(BUILD)/CMakeCache.txt || \
	    cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	DESTDIR='$(DESTDIR)' cmake --install $(BUILD)
	@[ "$$(id -u)" -ne 0 ] || chown -R --reference=$(BUILD) $(BUILD)

# Good for trying TLS on this machine only: clients must trust this certificate (parley:
# SSL_CERT_FILE=$(TLS_DIR)/localhost.crt) or skip verification (parley --insecure).
$(TLS_DIR)/localhost.crt:
	mkdir -p $(TLS_DIR)
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
	    -keyout $(TLS_DIR)/localhost.key -out $@.tmp -subj /CN=localhost \
	    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
	chmod 600 $(TLS_DIR)/localhost.key
	mv $@.tmp $@

run: build $(TLS_DIR)/localhost.crt
	$(BUILD)/parleyd $(RUN_FLAGS) --store $(BUILD)/parleyd.db $(ARGS)

# A build directory configured before cmocka was there looks for it again.
test: test-deps build
	@! grep -qx 'PARLEY_UNIT_TESTS:INTERNAL=OFF' $(BUILD)/CMakeCache.txt || \
	    { cmake -S . -B $(BUILD) && cmake --build $(BUILD) -j $(JOBS); }
	cd $(BUILD) && ctest -j2 --output-on-failure

$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPARLEY_WERROR=$(WERROR) \
	    -DPARLEY_SANITIZE=ON

asan: test-deps $(ASAN_BUILD)/CMakeCache.txt
	@! grep -qx 'PARLEY_UNIT_TESTS:INTERNAL=OFF' $(ASAN_BUILD)/CMakeCache.txt || \
	    cmake -S . -B $(ASAN_BUILD)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest -j2 --output-on-failure

$(FUZZ_BUILD)/CMakeCache.txt:
	@[ -n '$(CLANG)' ] || { echo "fuzz: neither clang nor clang-14 is on PATH" \
	    "(make test-deps installs clang-14)" >&2; exit 1; }
	CC='$(CLANG)' cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPARLEY_WERROR=$(WERROR) \
	    -DPARLEY_FUZZ=ON

# Each target starts from the seeds in tests/fuzz/corpus/ and keeps what it finds in
# $(FUZZ_BUILD)/corpus/; a crash leaves its input in $(FUZZ_BUILD)/ and fails the run.
fuzz: test-deps $(FUZZ_BUILD)/CMakeCache.txt
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_msg fuzz_core fuzz_snapshot fuzz_ws fuzz_http fuzz_proxy \
	    fuzz_tls_record
	for t in msg core snapshot ws http proxy tls_record; do \
	    mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
	    $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	        -dict=tests/fuzz/irc.dict -artifact_prefix=$(FUZZ_BUILD)/$$t- \
	        $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t >$(FUZZ_BUILD)/fuzz_$$t.log 2>&1; \
	    rc=$$?; \
	    grep -E '^(Done|stat::number_of_executed_units)' $(FUZZ_BUILD)/fuzz_$$t.log | \
	        sed "s/^/fuzz_$$t: /"; \
	    if [ $$rc -ne 0 ]; then tail -n 60 $(FUZZ_BUILD)/fuzz_$$t.log; exit 1; fi; \
	done

check: test asan fuzz

# Installs the peers from Debian (only here, never in check) and runs as root: the peers
# are started as 'nobody'.
bench: build
	bench/install-peers.sh
	/usr/bin/python3 bench/run.py --build $(abspath $(BUILD))

# parleyd alone under each concurrency model (no peers to install): the figures in
# docs/models.md.
bench-models: build
	/usr/bin/python3 bench/run.py --models --build $(abspath $(BUILD))

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
