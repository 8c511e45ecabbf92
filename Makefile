# Thin wrapper over CMake + Ninja for the README's commands.
BUILD     ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=
ifeq ($(CI),true)
CMAKE_FLAGS += -DPMN_WERROR=ON
endif
JOBS ?= $(shell nproc)

.PHONY: all deps configure test demo bench asan clean format

all: configure
	cmake --build $(BUILD) -j $(JOBS)

deps:
	bash scripts/install-deps.sh

configure:
	@bash scripts/install-deps.sh
	@test -f $(BUILD)/build.ninja || cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

test: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: all
	bash scripts/demo.sh

bench: all
	cmake --build $(BUILD) --target benchmarks -j $(JOBS)
	bash bench/run.sh $(BUILD)

asan:
	@test -f $(ASAN_BUILD)/build.ninja || cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DPMN_SANITIZE=address;undefined" $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
