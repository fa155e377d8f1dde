# Parley - one plain Makefile.
#
#   make            build/parley, build/parley-emu, build/libparley.a
#   make check      install deps, build with -Werror, run every test suite
#                   (unit, integration, browser, and the ASan+UBSan build)
#   make demo       run the hub with the emulators and a sample organisation
#   make asan       the sanitizer build of everything under build/asan
#   make bench      the benchmarks under bench/
#
# Sources are found by folder: src/**.c (minus src/cli/main.c) is libparley.a,
# emulators/**.c is parley-emu, tests/unit/**/test_*.c each a cmocka program.

BUILD    ?= build
CC       ?= gcc
PKGS     := libmicrohttpd libcurl jansson sqlite3 libpq openssl libsodium
OPT      ?= -O2 -g
CFLAGS_WARN := -std=c11 -Wall -Wextra -Wstrict-prototypes -Werror
CFLAGS   += $(OPT) $(CFLAGS_WARN) -D_GNU_SOURCE -Isrc -I$(BUILD)/gen \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -MMD -MP -pthread
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread -lm
TEST_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

LIB_SRC  := $(filter-out src/cli/main.c,$(shell find src -name '*.c' | sort))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/web_assets.o
EMU_SRC  := $(shell find emulators -name '*.c' 2>/dev/null | sort)
EMU_OBJ  := $(EMU_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/emu_assets.o
WEB_FILES := $(shell find web -type f 2>/dev/null | sort)
EMU_WEB_FILES := $(shell find emulators/client -type f 2>/dev/null | sort)

UNIT_SRC := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
ITEST_LIB_SRC := $(shell find tests/lib -name '*.c' 2>/dev/null | sort)
ITEST_LIB_OBJ := $(ITEST_LIB_SRC:%.c=$(BUILD)/obj/%.o)
ITEST_SRC := $(shell find tests/integration -name '*.c' 2>/dev/null | sort)
ITEST_BIN := $(ITEST_SRC:tests/integration/%.c=$(BUILD)/tests/integration/%)
BENCH_SRC := $(shell find bench -name '*.c' 2>/dev/null | sort)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

# Quiet by default; `make V=1` shows the full command lines.
V ?= 0
ifeq ($(V),0)
Q := @
SAY = @printf '  %-6s %s\n' $(1) $(2)
else
Q :=
SAY = @true
endif

.PHONY: all tests check test demo asan bench deps clean
# Keep intermediate objects (tests/lib, generated assets) between builds.
.SECONDARY:
all: $(BUILD)/parley $(if $(EMU_SRC),$(BUILD)/parley-emu) tests

tests: $(UNIT_BIN) $(ITEST_BIN) $(BENCH_BIN)

$(BUILD)/libparley.a: $(LIB_OBJ)
	@rm -f $@
	$(call SAY,AR,$@)
	$(Q)ar rcs $@ $^

$(BUILD)/parley: $(BUILD)/obj/src/cli/main.o $(BUILD)/libparley.a
	$(call SAY,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BUILD)/parley-emu: $(EMU_OBJ) $(BUILD)/libparley.a
	$(call SAY,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call SAY,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

# parley-emu's own headers are included as "frame/x.h", "microsoft/x.h".
$(BUILD)/obj/emulators/%.o: CFLAGS += -Iemulators

# Web assets are compiled into the binaries: nothing is read from disk at run time.
$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(call SAY,LINK,$@)
	$(Q)$(CC) -std=c11 -Wall -Wextra -Werror -O2 -o $@ $<

$(BUILD)/gen/web_assets.c: $(BUILD)/tools/embed $(WEB_FILES)
	@mkdir -p $(dir $@)
	$(call SAY,GEN,$@)
	$(Q)$(BUILD)/tools/embed web_assets web $(WEB_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/emu_assets.c: $(BUILD)/tools/embed $(EMU_WEB_FILES)
	@mkdir -p $(dir $@)
	$(call SAY,GEN,$@)
	$(Q)$(BUILD)/tools/embed emu_assets emulators/client $(EMU_WEB_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(call SAY,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

# Unit tests link tests/lib/test_tls.o (test certificates) besides libparley.a.
$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/obj/tests/lib/test_tls.o $(BUILD)/libparley.a
	@mkdir -p $(dir $@)
	$(call SAY,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -Itests -o $@ $< $(BUILD)/obj/tests/lib/test_tls.o $(BUILD)/libparley.a $(LDFLAGS) $(LDLIBS) $(TEST_LIBS)

$(BUILD)/tests/integration/%: tests/integration/%.c $(ITEST_LIB_OBJ) $(BUILD)/libparley.a
	@mkdir -p $(dir $@)
	$(call SAY,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -Itests -o $@ $< $(ITEST_LIB_OBJ) $(BUILD)/libparley.a $(LDFLAGS) $(LDLIBS) $(TEST_LIBS)

$(BUILD)/obj/tests/lib/%.o: tests/lib/%.c
	@mkdir -p $(dir $@)
	$(call SAY,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests -c -o $@ $<

$(BUILD)/bench/%: bench/%.c $(ITEST_LIB_OBJ) $(BUILD)/libparley.a
	@mkdir -p $(dir $@)
	$(call SAY,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -Itests -o $@ $< $(ITEST_LIB_OBJ) $(BUILD)/libparley.a $(LDFLAGS) $(LDLIBS) $(TEST_LIBS)

deps:
	@scripts/deps

check:
	@scripts/deps --tests
	@$(MAKE) --no-print-directory -j$$(nproc) all
	@$(MAKE) --no-print-directory -j$$(nproc) asan
	@scripts/run-tests

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan \
	    OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" all

test: all
	@scripts/run-tests

demo: deps
	@$(MAKE) --no-print-directory -j$$(nproc) all
	@scripts/demo $(if $(SEED),--seed $(SEED))

bench: all
	@scripts/run-bench

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj $(BUILD)/tests $(BUILD)/bench -name '*.d' 2>/dev/null)
