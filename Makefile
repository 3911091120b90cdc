# CairnDB developer entry points. `make run` and `make test` do all set-up on
# a fresh Debian machine (packages via scripts/install-deps, then a build).
#
#   make run       build and start a single-node server on the defaults
#   make test      build and run every test (ctest)
#   make build     build build/cairn (RelWithDebInfo)
#   make debug     build build-debug/ (Debug)
#   make release   build build-release/ (Release)
#   make asan      build build-asan/ (ASan + UBSan) and run the tests there
#   make bench     release build, then the benchmarks of bench/ (run_all.sh,
#                  clients_bench.sh, cluster_insert_bench.sh)
#   make docker    the node image cairndb:latest (docker/Dockerfile), its
#                  base image made locally when missing; DOCKER_BINARY=build/cairn
#                  packages that binary instead of compiling in the image

BUILD_DIR   ?= build
BUILD_TYPE  ?= RelWithDebInfo
JOBS        ?= $(shell nproc)
CMAKE_FLAGS ?=
CTEST_FLAGS ?=

# ccache hits across clones and build dirs: paths relative to the checkout.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all deps build configure run test debug release asan bench docker clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/cairn start

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900 $(CTEST_FLAGS)

debug:
	@$(MAKE) --no-print-directory build BUILD_DIR=build-debug BUILD_TYPE=Debug

release:
	@$(MAKE) --no-print-directory build BUILD_DIR=build-release BUILD_TYPE=Release

asan:
	@$(MAKE) --no-print-directory test BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_FLAGS=-DCAIRN_SANITIZE=ON

bench: release
	bench/run_all.sh build-release
	bench/clients_bench.sh build-release
	bench/cluster_insert_bench.sh build-release

DOCKER_BINARY ?=
docker:
	docker/build-image $(DOCKER_BINARY)

clean:
	rm -rf build build-debug build-release build-asan
