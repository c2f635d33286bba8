# sqlflow: every target installs what is missing first (scripts/bootstrap.sh), so a fresh clone
# needs nothing but `make test` or `make demo`.
SHELL := /bin/bash
JOBS ?= $(shell nproc)

.PHONY: all bootstrap build test test-unit test-sanitize demo bench format check-format clean

all: build

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	@cmake --preset default >/dev/null
	@cmake --build --preset default -j $(JOBS)

# Starts the services the tests need (PostgreSQL), runs every test, stops them even on failure.
test: build
	@scripts/run-tests.sh build

test-unit: build
	@ctest --test-dir build -L unit --output-on-failure -j $(JOBS)

# ASan + UBSan build of the unit tests.
test-sanitize: bootstrap
	@cmake --preset sanitize >/dev/null
	@cmake --build --preset sanitize -j $(JOBS) --target unit_tests
	@ASAN_OPTIONS=detect_leaks=0 ctest --test-dir build-sanitize -L unit --output-on-failure -j $(JOBS)

demo: build
	@scripts/demo.sh

bench: build
	@bench/run.sh

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

check-format: bootstrap
	@scripts/check-format.sh

clean:
	rm -rf build build-sanitize
