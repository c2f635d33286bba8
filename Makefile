# sqlflow: every target installs what is missing first (scripts/bootstrap.sh), so a fresh clone
# needs nothing but `make test` or `make demo`.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
# `make install PREFIX=/opt/sqlflow DESTDIR=/tmp/stage`
PREFIX ?= /usr/local

.PHONY: all bootstrap bootstrap-build configure configure-build build build-sqlflow test test-unit test-sanitize demo bench install \
	package format check-format clean

all: build

bootstrap:
	@scripts/bootstrap.sh

configure: bootstrap
	@cmake --preset default >/dev/null

# What building needs, without the test-only npm packages (make demo, install, package).
bootstrap-build:
	@scripts/bootstrap.sh --build-only

configure-build: bootstrap-build
	@cmake --preset default >/dev/null

build: configure
	@cmake --build --preset default -j $(JOBS)

# Only the binary and its libraries: what the demo, install and package need (no tests, no benchmarks).
build-sqlflow: configure-build
	@cmake --build --preset default -j $(JOBS) --target sqlflow

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

demo: build-sqlflow
	@scripts/demo.sh

# The binary, its DuckDB library, the man page and the shell completions under $(DESTDIR)$(PREFIX).
install: build-sqlflow
	@cmake --build --preset default -j $(JOBS) --target sqlflow_extras
	@DESTDIR="$(DESTDIR)" cmake --install build --prefix "$(PREFIX)"

# build/sqlflow_<version>_amd64.deb (tests/packaging/deb_test.sh checks it).
package: build-sqlflow
	@cmake --build --preset default -j $(JOBS) --target sqlflow_extras
	@cd build && cpack -G DEB

bench: build
	@bench/run.sh

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

check-format: bootstrap
	@scripts/check-format.sh

clean:
	rm -rf build build-sanitize
