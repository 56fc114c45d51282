# Thin wrapper around meson/ninja; see README.md.
BUILD      ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?=
VDSMD_ARGS ?=

.PHONY: all deps setup build run check check-asan clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

setup: deps $(BUILD)/build.ninja

build: setup
	ninja -C $(BUILD)

# The HTML API reference of our schema: $(BUILD)/docs/api/index.html; and
# libvdsm's C API reference (gi-docgen, from the GIR, with a C and a Python
# example per namespace): $(BUILD)/docs/libvdsm/index.html.
.PHONY: docs
docs: setup
	ninja -C $(BUILD) tools/vdsm-schema client/Vdsm-1.0.gir
	$(BUILD)/tools/vdsm-schema docs --title "libvdsm API reference" --served daemon/served-methods.txt $(BUILD)/docs/api api/vdsm-api.yml api/vdsm-events.yml
	scripts/make-api-reference $(BUILD) $(BUILD)/docs/libvdsm

# `make run TLS=1` serves TLS with mutual authentication, using a throwaway CA
# made once in $(BUILD)/certs (clients use client.pem, client-key.pem, ca.pem).
TLS_DIR = $(BUILD)/certs
TLS_ARGS = $(if $(filter 1,$(TLS)),--tls --tls-cert $(TLS_DIR)/server.pem --tls-key $(TLS_DIR)/server-key.pem --tls-ca $(TLS_DIR)/ca.pem)

run: build $(if $(filter 1,$(TLS)),$(TLS_DIR)/ca.pem)
	$(BUILD)/daemon/vdsmd $(TLS_ARGS) $(VDSMD_ARGS)

$(TLS_DIR)/ca.pem:
	scripts/make-test-certs $(TLS_DIR)

# All suites (C via meson test, Python via pytest), one summary line at the end.
# CHECK_ASAN=1 also runs the C suites in an AddressSanitizer+UBSan build.
check: build $(if $(filter 1,$(CHECK_ASAN)),$(ASAN_BUILD)/build.ninja)
	@scripts/run-tests $(BUILD) $(if $(filter 1,$(CHECK_ASAN)),$(ASAN_BUILD))

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug -Dintrospection=false $(MESON_OPTS)

check-asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	@scripts/run-tests --c-only $(ASAN_BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# libFuzzer harnesses (clang): each runs FUZZ_TIME seconds on a scratch copy
# of fuzz/corpus/ in build-fuzz/; fails if any crashes.
FUZZ_TIME ?= 60
.PHONY: fuzz
fuzz:
	@fuzz/run-fuzzers build-fuzz $(FUZZ_TIME)

# The benchmark set against the floor (bench/run-bench, < 5 minutes): builds
# a release tree in $(BENCH_BUILD), writes bench/results.md.
BENCH_BUILD ?= build-bench

.PHONY: bench
bench:
	bench/run-bench $(BENCH_BUILD)
