# podinit — build, test, demo. `make test` and `make demo` install what they
# need from Debian packages first (scripts/deps.sh; apt-get when root).

SHELL   := /bin/bash
CC      ?= cc
BUILD   ?= build
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 \
           -Wno-format-nonliteral
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDHARD  := -pie -Wl,-z,relro -Wl,-z,now

# make test SANITIZE=1: everything built with AddressSanitizer (leaks
# included) and UBSan into build/san, and every test run against that.
ifeq ($(SANITIZE),1)
BUILD   := build/san
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
CFLAGS  := -O1 -g $(SAN)
HARDEN  := -fstack-protector-strong -fPIE
LDHARD  += $(SAN)
# ASan must not take over the fault signals: podinit hands a caller's
# ignored SIGSEGV on to its child, and the tests check it does.
export ASAN_OPTIONS := detect_leaks=1:exitcode=99:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1:exitcode=98
endif
GIT_HASH := $(shell git rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
CPPFLAGS += -Iinclude -D_GNU_SOURCE -DPODINIT_GIT='"$(GIT_HASH)"'
ALL_CFLAGS = $(WARN) $(HARDEN) $(CFLAGS)
LIBS     := -lcjson

SRC      := src/main.c $(wildcard src/core/*.c src/os/*.c)
CORE_SRC := $(wildcard src/core/*.c)
LIB_OBJ  := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(filter-out src/main.c,$(SRC)))
MAIN_OBJ := $(BUILD)/obj/main.o
HEADERS  := $(wildcard include/podinit/*.h src/core/*.h src/os/*.h)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
HELPER_SRC := $(wildcard tests/integration/helpers/*.c)
HELPER_BIN := $(patsubst tests/integration/helpers/%.c,$(BUILD)/helpers/%,$(HELPER_SRC))
LINKS    := tini docker-init dumb-init catatonit podman-init

BUILD_DEPS := gcc make libc6-dev libcmocka-dev libcjson-dev pkg-config
TEST_DEPS  := bats procps util-linux bsdutils coreutils clang libclang-rt-14-dev man-db python3 \
              python3-prometheus-client

.PHONY: all links deps build-deps test unit integration demo bench static static-helpers test-runtime \
        rollout valgrind fuzz install clean check-core check-size

all: $(BUILD)/podinit links

# Plain `make` on a fresh machine: the build's Debian packages first
# (installed when root; otherwise one line names them and the build stops).
$(BUILD)/obj/%.o: src/%.c $(HEADERS) | build-deps
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

# The version line carries the commit: usage.o is rebuilt when it changes.
$(BUILD)/git-hash: FORCE
	@mkdir -p $(dir $@)
	@echo '$(GIT_HASH)' | cmp -s - $@ || echo '$(GIT_HASH)' >$@
$(BUILD)/obj/core/usage.o: $(BUILD)/git-hash
FORCE:

$(BUILD)/podinit: $(MAIN_OBJ) $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDHARD) $(LDFLAGS) $^ $(LIBS) -o $@

# The personas: the same binary under the names it stands in for.
links: $(BUILD)/podinit
	@for l in $(LINKS); do ln -sf podinit $(BUILD)/$$l; done

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ) $(HEADERS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDHARD) $< $(LIB_OBJ) $(LIBS) -lcmocka -o $@

# The test helpers are tools, not the code under test: built plainly, also
# with SANITIZE=1 (an ASan fork is slow, and the orphan storm forks a lot).
$(BUILD)/helpers/%: tests/integration/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O2 -g $< -o $@

deps:
	@scripts/deps.sh $(BUILD_DEPS) $(TEST_DEPS)

build-deps:
	@scripts/deps.sh $(BUILD_DEPS)

unit: $(UNIT_BIN) check-core check-size
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# src/core/ is the pure part: no OS header included, no system call linked
# (scripts/check-core.sh reads the includes and the objects' symbols).
check-core: $(patsubst src/%.c,$(BUILD)/obj/%.o,$(CORE_SRC))
	@scripts/check-core.sh $(CORE_SRC) -- $^

# The size rules: no .c or .h under src/ and include/ over 500 lines, no
# function over 70 (scripts/check-size.sh says how a function is counted);
# part of make unit, so of make test.
check-size:
	@scripts/check-size.sh src include

integration: all $(HELPER_BIN)
	@echo "== integration tests"
	PODINIT_BUILD=$(abspath $(BUILD)) bats --timing tests/integration

# Unit tests, integration tests, each fuzz target for a few seconds, then
# (not with SANITIZE=1: they run the static builds) the runtime tests, the
# rollout, the static builds of other architectures under qemu-user
# (mk/static-all.mk) and the Debian package (mk/deb.mk); closing lines
# count them all.
test: deps
	@mkdir -p $(BUILD)
	@set -o pipefail; \
	{ $(MAKE) --no-print-directory unit && $(MAKE) --no-print-directory integration && \
	  $(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS) && \
	  if [ "$(SANITIZE)" != 1 ]; then $(MAKE) --no-print-directory test-runtime && \
	      $(MAKE) --no-print-directory rollout && \
	      $(MAKE) --no-print-directory test-cross && \
	      $(MAKE) --no-print-directory test-deb; fi; } 2>&1 \
	    | tee $(BUILD)/test.log; rc=$$?; \
	scripts/test-summary.sh $(BUILD)/test.log; exit $$rc

# Fuzzing: libFuzzer with ASan and UBSan (clang), one target per parser that
# takes outside input. Each runs FUZZ_SECONDS from the committed seeds
# (tests/fuzz/corpus/) plus what it finds (build/fuzz/, not committed).
FUZZ_SECONDS ?= 60
TEST_FUZZ_SECONDS ?= 5
FUZZ_TARGETS := config cli signals health http output
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_text.h $(filter-out src/main.c,$(SRC)) $(HEADERS)
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(WARN) $(FUZZ_FLAGS) $< $(filter-out src/main.c,$(SRC)) $(LIBS) -o $@

fuzz: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(BUILD)/fuzz/corpus-$$t; \
	    $(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
	        -rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/$$t- \
	        $(BUILD)/fuzz/corpus-$$t \
	        tests/fuzz/corpus/$$t >$(BUILD)/fuzz/$$t.log 2>&1 || \
	        { tail -n 40 $(BUILD)/fuzz/$$t.log; echo "fuzz $$t: FAILED"; exit 1; }; \
	    echo "fuzz $$t: $$(sed -n 's/^stat::number_of_executed_units: *//p' $(BUILD)/fuzz/$$t.log) runs in $(FUZZ_SECONDS) s, no crash"; \
	done

# The unit tests under valgrind: any error or leak fails. (Forked children
# that _exit by design are not followed.)
valgrind: $(UNIT_BIN)
	@scripts/deps.sh valgrind
	@set -e; for t in $(UNIT_BIN); do echo "== valgrind $$t"; \
	    valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=9 \
	        --child-silent-after-fork=yes $$t >/dev/null; done; echo "valgrind: clean"

demo: deps
	@$(MAKE) --no-print-directory all $(BUILD)/helpers/httpapp
	@scripts/demo.sh $(abspath $(BUILD))

bench: all
	@bench/run $(abspath $(BUILD))

# A static, stripped binary for FROM scratch images, built with musl. cJSON
# is compiled in from Debian's source package (scripts/cjson-source.sh):
# Debian ships no static libcjson. Size matters here (docs/performance.md):
# link-time optimisation (one partition: smaller), no unwind tables (C, no
# exceptions; a stripped binary has no use for them); code and read-only data share a segment instead of each being
# padded to a page (-z noseparate-code); no RELRO padding, since musl's
# static start-up never applies RELRO (the data pages stay rw-p in
# /proc/PID/maps either way). The code is not position-independent: a
# -static link is an ET_EXEC at a fixed address whatever the code, so -fPIE
# (gcc's default) only cost bytes, never gave ASLR. The stack protector stays.
static:
	@scripts/deps.sh musl-tools dpkg-dev libcjson-dev
	@mkdir -p $(BUILD)
	@cjson=$$(scripts/cjson-source.sh $(abspath $(BUILD))/cjson-src) && \
	echo "musl-gcc -static ... src/*.c $$cjson/cJSON.c -o $(BUILD)/podinit-static" && \
	musl-gcc -static $(CPPFLAGS) -I$$cjson/include $(WARN) -Os -flto -flto-partition=one \
	    -fno-pie -no-pie -fstack-protector-strong \
	    -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections \
	    -Wl,--gc-sections -Wl,-z,noseparate-code -Wl,-z,norelro -Wl,--build-id=none -s $(SRC) \
	    -x c -w $$cjson/cJSON.c -o $(BUILD)/podinit-static
	@echo "podinit-static: $$(stat -c %s $(BUILD)/podinit-static) bytes"

# The helpers the runtime tests put in their images, linked statically.
STATIC_HELPERS := $(patsubst %,$(BUILD)/static-helpers/%,httpapp orphans sigrecv)
$(BUILD)/static-helpers/%: tests/integration/helpers/%.c
	@mkdir -p $(dir $@)
	musl-gcc -static $(CPPFLAGS) $(WARN) -Os -s $< -o $@

static-helpers: $(STATIC_HELPERS)

# podinit-static as the PID 1 of real containers: runc, Docker (a dockerd
# of the test's own), podman. Installs the runtimes from Debian packages;
# when that is impossible (not root, no mirror), one line says so and the
# tests are skipped.
# catatonit: podman kube play builds its pause image from it (without it:
# "finding pause binary: exec: \"catatonit\": executable file not found").
RUNTIME_DEPS := runc busybox-static docker.io podman catatonit debootstrap jq bsdutils musl-tools dpkg-dev
test-runtime: all
	@if scripts/deps.sh $(RUNTIME_DEPS); then \
	    $(MAKE) --no-print-directory static static-helpers && \
	    echo "== runtime tests" && PODINIT_BUILD=$(abspath $(BUILD)) bats --timing tests/runtime; \
	else echo "runtime tests: skipped: could not install $(RUNTIME_DEPS)"; fi

# The zero-downtime proof (tests/rollout): HAProxy and wrk on loopback,
# rolling updates of two replicas, podinit's drain against plain tini.
ROLLOUT_DEPS := haproxy wrk tini curl
rollout: all $(BUILD)/helpers/httpapp
	@if scripts/deps.sh $(ROLLOUT_DEPS); then \
	    echo "== rollout" && PODINIT_BUILD=$(abspath $(BUILD)) bats --timing tests/rollout; \
	else echo "rollout: skipped: could not install $(ROLLOUT_DEPS)"; fi

# make install [PREFIX=/usr/local] [DESTDIR=] [INSTALL_LINKS="tini ..."]:
# the binary, the persona links beside it (INSTALL_LINKS= for none: a link
# named tini shadows a tini installed further down PATH) and the man page.
PREFIX ?= /usr/local
INSTALL_LINKS ?= $(LINKS)
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BUILD)/podinit $(DESTDIR)$(PREFIX)/bin/podinit
	@for l in $(INSTALL_LINKS); do echo "ln -sf podinit $(DESTDIR)$(PREFIX)/bin/$$l"; \
	    ln -sf podinit $(DESTDIR)$(PREFIX)/bin/$$l; done
	install -m 0644 docs/podinit.1 $(DESTDIR)$(PREFIX)/share/man/man1/podinit.1

clean:
	rm -rf $(BUILD)

# Distribution (static builds for other architectures, the Debian package,
# the image): one file each under mk/.
include $(wildcard mk/*.mk)
