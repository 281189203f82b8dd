# symdiff — developer entry points. Works on a fresh Debian 12 machine:
# every target that builds first installs the missing packages (make deps).
#
#   make test            build/ (Release, -O2, asserts on) + all CTest tests
#   make sanitize-test   build-asan/ (ASan+UBSan, -O0; see examples/CMakeLists.txt) + unit and example tests
#   make demo            build and run examples/linear_regression
#   make bench           build-bench/ (-O3 -march=native) + target run_bench
#   make help

SHELL      := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
SUDO       ?= $(shell [ $$(id -u) -eq 0 ] || echo sudo)
# Ninja when available (faster no-op builds), otherwise Unix Makefiles. Only
# used when a build directory is configured for the first time.
GENERATOR  ?= $(if $(shell command -v ninja 2>/dev/null),Ninja,Unix Makefiles)

BUILD_DIR  ?= build
ASAN_DIR   ?= build-asan
BENCH_DIR  ?= build-bench

CMAKE_ARGS       ?=
BUILD_ARGS       := -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-O2
ASAN_ARGS        := -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O0 -g1" \
                    -DSYMDIFF_SANITIZE=ON -DSYMDIFF_RANDOM_SAMPLE=ON
BENCH_ARGS       := -DCMAKE_BUILD_TYPE=Release -DSYMDIFF_BUILD_BENCHMARKS=ON -DSYMDIFF_NATIVE=ON \
                    -DSYMDIFF_BUILD_TESTS=OFF

CTEST_ARGS       ?=
UBSAN_OPTIONS_   := print_stacktrace=1:halt_on_error=1

# $(call configure,<dir>,<args>): the generator is chosen only on first configure.
define configure
	@if [ -f "$(1)/CMakeCache.txt" ]; then gen=(); else gen=(-G "$(GENERATOR)"); fi; \
	 echo "cmake -S . -B $(1) $${gen[*]@Q} $(2) $(CMAKE_ARGS)"; \
	 cmake -S . -B "$(1)" "$${gen[@]}" $(2) $(CMAKE_ARGS)
endef

.PHONY: help deps configure build demo test bench bench-mpi sanitize-test clean fashion-mnist-softmax fashion-mnist-mlp compile-times mutation

help:
	@echo "symdiff make targets:"
	@echo "  deps           install missing Debian packages (scripts/install-deps.sh)"
	@echo "  configure      configure $(BUILD_DIR)/ (Release, -O2, asserts on)"
	@echo "  build          build everything in $(BUILD_DIR)/"
	@echo "  test           build + ctest (unit, compile_fail, package, example)"
	@echo "  demo           build and run examples/linear_regression"
	@echo "  bench          configure $(BENCH_DIR)/ (-march=native) and build target run_bench"
	@echo "  bench-mpi      the same, target run_bench_mpi: training on 1 and 2 MPI processes"
	@echo "  sanitize-test  ASan+UBSan build in $(ASAN_DIR)/ + ctest (unit, example)"
	@echo "  fashion-mnist-softmax, fashion-mnist-mlp   the full Fashion-MNIST training runs"
	@echo "  compile-times  compile time and peak memory of every test/example file"
	@echo "  mutation       break each derivative, simplification and printer rule in turn (in build-mutation/),"
	@echo "                 report which test kills it (MUTATION_ARGS='--kinds derivative --only exp')"
	@echo "  clean          remove all build directories"
	@echo "variables: JOBS=$(JOBS) GENERATOR='$(GENERATOR)' CMAKE_ARGS= CTEST_ARGS= (e.g. CTEST_ARGS='-L unit')"

deps:
	SUDO="$(SUDO)" ./scripts/install-deps.sh

configure: deps
	$(call configure,$(BUILD_DIR),$(BUILD_ARGS))

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

demo: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target linear_regression
	mkdir -p $(BUILD_DIR)/examples/out
	cd $(BUILD_DIR)/examples/out && ../linear_regression

# The full Fashion-MNIST runs (the CTest versions train on a 2,000-image subset).
fashion-mnist-softmax: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target fashion_mnist_softmax
	mkdir -p $(BUILD_DIR)/examples/out
	cd $(BUILD_DIR)/examples/out && ../fashion_mnist_softmax

fashion-mnist-mlp: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target fashion_mnist_mlp
	mkdir -p $(BUILD_DIR)/examples/out
	cd $(BUILD_DIR)/examples/out && ../fashion_mnist_mlp

compile-times: configure
	./scripts/compile-times.sh $(BUILD_DIR)

# Mutation testing of the rules (slow: one rebuild of a test or more per mutant; not part of test).
mutation:
	SUDO="$(SUDO)" ./scripts/install-deps.sh python3
	python3 scripts/mutation.py --jobs $(JOBS) $(MUTATION_ARGS)

bench: deps
	$(call configure,$(BENCH_DIR),$(BENCH_ARGS))
	cmake --build $(BENCH_DIR) -j $(JOBS) --target run_bench

# Data-parallel training on 1 and 2 MPI processes (docs/distributed.md).
bench-mpi: deps
	$(call configure,$(BENCH_DIR),$(BENCH_ARGS))
	cmake --build $(BENCH_DIR) -j $(JOBS) --target run_bench_mpi

# LeakSanitizer does not work in every sandbox (it needs ptrace-like access):
# probe it with a leak-free program and turn leak checking off if it fails.
sanitize-test: deps
	$(call configure,$(ASAN_DIR),$(ASAN_ARGS))
	cmake --build $(ASAN_DIR) -j $(JOBS)
	@probe="$(ASAN_DIR)/lsan-probe"; \
	 echo 'int main(){return 0;}' | $${CXX:-c++} -x c++ -fsanitize=address - -o "$$probe"; \
	 if ASAN_OPTIONS=detect_leaks=1 "$$probe" >/dev/null 2>&1; then leaks=1; \
	 else leaks=0; echo "sanitize-test: LeakSanitizer unusable here, leak checks off"; fi; \
	 echo "ASAN_OPTIONS=detect_leaks=$$leaks UBSAN_OPTIONS=$(UBSAN_OPTIONS_)"; \
	 ASAN_OPTIONS="detect_leaks=$$leaks:$${ASAN_OPTIONS:-}" UBSAN_OPTIONS="$(UBSAN_OPTIONS_)" \
	   ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS) -LE 'compile_fail|package|headers|style' $(CTEST_ARGS)

# ---------------------------------------------------------------------------
# Fashion-MNIST full-data targets (fashion-mnist-full, ...) are added here by
# the examples/benchmarks owners.
# ---------------------------------------------------------------------------

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(BENCH_DIR) build-mutation
