# make static-all: podinit-static for several architectures, each built like
# `make static` (musl, cJSON compiled in from Debian's source package) with
# Debian's cross compilers and Debian's musl for the target architecture
# (multiarch musl-dev:ARCH; its ARCH-linux-musl-gcc wrapper runs the cross gcc
# with the musl-gcc.specs that package ships). Writes
# build/podinit-static-ARCH and build/SHA256SUMS (names without build/);
# build/podinit-static stays the host's.
# make test-cross: those binaries under qemu-user (tests/cross/static.bats).
#
# STATIC_ARCHES=... picks Debian architectures out of the table below.

STATIC_ARCHES ?= amd64 arm64 armhf i386 ppc64el s390x

# Per architecture: the musl triplet (the wrapper's and the specs' name), the
# GNU triplet of the cross gcc.
XS_MUSL_amd64   := x86_64-linux-musl
XS_GNU_amd64    := x86_64-linux-gnu
XS_MUSL_arm64   := aarch64-linux-musl
XS_GNU_arm64    := aarch64-linux-gnu
XS_MUSL_armhf   := arm-linux-musleabihf
XS_GNU_armhf    := arm-linux-gnueabihf
XS_MUSL_i386    := i386-linux-musl
XS_GNU_i386     := i686-linux-gnu
XS_MUSL_ppc64el := powerpc64le-linux-musl
XS_GNU_ppc64el  := powerpc64le-linux-gnu
XS_MUSL_s390x   := s390x-linux-musl
XS_GNU_s390x    := s390x-linux-gnu

XS_HOST := $(shell dpkg --print-architecture 2>/dev/null || echo unknown)
# The host's own architecture needs no cross compiler: Debian's gcc is it.
xs_gcc_pkg = $(if $(filter $(XS_HOST),$(1)),gcc,gcc-$(subst _,-,$(XS_GNU_$(1))))
XS_BUILD_DEPS := dpkg-dev libcjson-dev \
    $(foreach a,$(STATIC_ARCHES),$(call xs_gcc_pkg,$(a)) musl-dev:$(a))
XS_TEST_DEPS  := qemu-user-static bats util-linux coreutils file git musl-tools

# The flags of `make static` (Makefile), word for word: tests/cross/static.bats
# checks that `make -n static` still uses these, and that the host's
# podinit-static-ARCH is byte for byte the host's podinit-static.
XS_FLAGS := -Os -flto -flto-partition=one -fno-pie -no-pie -fstack-protector-strong \
    -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections \
    -Wl,--gc-sections -Wl,-z,noseparate-code -Wl,-z,norelro -Wl,--build-id=none -s

XS_BINS := $(patsubst %,$(BUILD)/podinit-static-%,$(STATIC_ARCHES))

.PHONY: static-all static-all-deps test-cross

static-all: $(BUILD)/SHA256SUMS
	@for b in $(XS_BINS); do echo "$$(basename $$b): $$(stat -c %s $$b) bytes"; done

static-all-deps:
	@scripts/multiarch.sh $(STATIC_ARCHES)
	@scripts/deps.sh $(XS_BUILD_DEPS)

# cJSON's source, fetched once (the same directory `make static` uses), so
# that make -j does not run two apt-gets on one state directory.
XS_CJSON := $(BUILD)/cjson-src/cjson
$(XS_CJSON)/cJSON.c: | static-all-deps
	@scripts/cjson-source.sh $(abspath $(BUILD))/cjson-src >/dev/null

$(BUILD)/podinit-static-%: $(SRC) $(HEADERS) $(BUILD)/git-hash $(XS_CJSON)/cJSON.c | static-all-deps
	@test -n "$(XS_MUSL_$*)" || { echo "podinit: no cross build for architecture '$*'" >&2; exit 1; }
	@echo "$(XS_MUSL_$*)-gcc -static ... src/*.c $(XS_CJSON)/cJSON.c -o $@"
	@$(XS_MUSL_$*)-gcc -static $(CPPFLAGS) -I$(XS_CJSON)/include $(WARN) $(XS_FLAGS) $(SRC) \
	    -x c -w $(XS_CJSON)/cJSON.c -o $@.tmp && mv $@.tmp $@

$(BUILD)/SHA256SUMS: $(XS_BINS)
	cd $(BUILD) && sha256sum $(notdir $^) >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS

# Installs what it needs (root); when that is impossible one line says so
# and it succeeds. qemu is called explicitly (qemu-ARCH-static BINARY), so
# binfmt_misc need not be registered.
test-cross:
	@mkdir -p $(BUILD)/cross
	@if { scripts/multiarch.sh $(STATIC_ARCHES) && \
	      scripts/deps.sh $(XS_BUILD_DEPS) $(XS_TEST_DEPS) && \
	      scripts/cross-busybox.sh $(abspath $(BUILD))/cross $(STATIC_ARCHES); \
	    } >$(BUILD)/cross/deps.log 2>&1; then \
	    $(MAKE) --no-print-directory static static-all && \
	    echo "== cross tests ($(STATIC_ARCHES))" && \
	    PODINIT_BUILD=$(abspath $(BUILD)) STATIC_ARCHES="$(STATIC_ARCHES)" \
	        bats --timing tests/cross; \
	else echo "cross tests: skipped: could not install the cross toolchains, qemu or busybox ($$(tail -n1 $(BUILD)/cross/deps.log))"; fi
