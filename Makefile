# tapflow — plain Makefile. `make help` lists the targets.

CC      ?= cc
BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
SAN     ?= 0
V       ?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif

PKGS := libpcap jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)
LIBNET_CFLAGS := $(shell libnet-config --cflags --defines 2>/dev/null)
LIBNET_LIBS   := $(shell libnet-config --libs 2>/dev/null)
XXH_LIBS := -lxxhash

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla -Wimplicit-fallthrough \
	-Wpointer-arith
# Where truncation bugs hide: decoders, pkt.h users and export/.
STRICT := -Wconversion -Wsign-conversion

# GCC's generic x86-64 tuning clears and copies anything over 64 bytes
# with rep stos/movs, whose start-up cost more than the rest of the
# decoder (issue 8: three quarters of dec_packet's time went to clearing
# struct pkt_meta); vector loops up to 256 bytes, the library above. Only
# where the compiler takes the options (clang has no such flags).
STRINGOP := -mmemset-strategy=vector_loop:256:noalign,libcall:-1:noalign \
	-mmemcpy-strategy=vector_loop:256:noalign,libcall:-1:noalign
STRINGOP_OK := $(shell $(CC) $(STRINGOP) -x c -c -o /dev/null /dev/null \
	2>/dev/null && echo yes)

# -O3 rather than STYLE.md's -O2 (issue 8): 5 % fewer instructions a
# packet on the replay path, 2-4 % less time at 10 k and 1 M flows.
ifeq ($(SAN),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
else
OPT := -O3 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2
ifeq ($(STRINGOP_OK),yes)
OPT += $(STRINGOP)
endif
endif

CFLAGS ?=
CFLAGS += -std=c11 -D_DEFAULT_SOURCE $(OPT) $(WARN) $(PKG_CFLAGS) -MMD -MP
LDFLAGS ?=
LDLIBS  := $(PKG_LIBS) $(XXH_LIBS) -lm

COMMON_SRC := $(wildcard common/*.c)
PROBE_SRC  := $(filter-out probe/main.c probe/tapflowctl.c,$(wildcard probe/*.c))
EXPORT_SRC := $(wildcard export/*.c)
LIB_SRC    := $(COMMON_SRC) $(PROBE_SRC) $(EXPORT_SRC)
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB        := $(BUILD)/libtapflow.a

UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_HELP  := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))
UNIT_HOBJ  := $(UNIT_HELP:%.c=$(BUILD)/%.o)
TOOL_SRC   := $(wildcard tests/tools/*.c)
TOOL_BIN   := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

# tapflow and tapflowctl live at the top of the build dir; `make` also
# copies them to the top of the tree for convenience.
TAPFLOW    := $(BUILD)/tapflow
TAPFLOWCTL := $(if $(wildcard probe/tapflowctl.c),$(BUILD)/tapflowctl)

# Keep the objects of tests and tools (make would delete them as
# intermediates, and print a line doing so after the test summary).
.SECONDARY:

.PHONY: all demo deps check unit integration san-check lint fmt bench fuzz \
	install clean help tools fuzz-replay

all: $(TAPFLOW) $(TAPFLOWCTL) tools
ifeq ($(BUILD),build)
	@cp -f $(TAPFLOW) tapflow
	@if [ -f $(TAPFLOWCTL) ]; then cp -f $(TAPFLOWCTL) tapflowctl; fi
endif

tools: $(TOOL_BIN)

help:
	@echo "make deps        install missing Debian packages (needs root)"
	@echo "make             build tapflow, tapflowctl and the test tools"
	@echo "make demo        replay a bundled capture to nfcapd, show its flows"
	@echo "make check       deps + build + unit and integration tests"
	@echo "make san-check   the same tests under ASan + UBSan (build-san/)"
	@echo "make lint        clang-format, clang-tidy, cppcheck"
	@echo "make bench       throughput/memory benchmark beside softflowd"
	@echo "make bench-live  live capture on a veth: 1, 2 workers, softflowd"
	@echo "make fuzz        libFuzzer harnesses (FUZZ_SECONDS=N each)"
	@echo "make install     PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)"

deps:
	@sh tests/deps.sh

$(BUILD)/probe/decode%.o $(BUILD)/probe/frag.o $(BUILD)/export/%.o: \
	CFLAGS += $(STRICT)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(TAPFLOW): $(BUILD)/probe/main.o $(LIB)
	@echo "  LD  $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(TAPFLOWCTL): $(BUILD)/probe/tapflowctl.o $(LIB)
	@echo "  LD  $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/probe/tapflowctl.o: probe/tapflowctl.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	$(Q)$(CC) $(CFLAGS) $(CHECK_CFLAGS) $(LIBNET_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(UNIT_HOBJ) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBNET_LIBS) $(LDLIBS)

$(BUILD)/tests/tools/%.o: tests/tools/%.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	$(Q)$(CC) $(CFLAGS) $(LIBNET_CFLAGS) -c -o $@ $<

$(BUILD)/tools/%: $(BUILD)/tests/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBNET_LIBS) $(LDLIBS)

# One unit suite alone: make unit-decode runs build/tests/test_decode.
unit-%: $(BUILD)/tests/test_%
	CK_FORK=yes $<

unit: $(UNIT_BIN)
	@sh tests/unit/run.sh $(UNIT_BIN)

integration: all
	@BUILD=$(BUILD) sh tests/integration/run.sh

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory integration

san-check: deps
	@$(MAKE) --no-print-directory BUILD=build-san SAN=1 CC=clang all unit integration

lint:
	@sh tests/lint.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh

bench: all
	@sh bench/run.sh

.PHONY: bench-live
bench-live: all
	@sh bench/live.sh

fuzz:
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

# The fuzz harnesses built as corpus replayers (no libFuzzer), for
# make check: tests/integration/54_fuzz_corpus.sh runs them.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

fuzz-replay: $(FUZZ_BIN)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(TAPFLOW) $(DESTDIR)$(PREFIX)/sbin/tapflow
	if [ -f $(TAPFLOWCTL) ]; then install -m 0755 $(TAPFLOWCTL) $(DESTDIR)$(PREFIX)/bin/tapflowctl; fi
	for m in man/*.8; do [ -f "$$m" ] && install -m 0644 "$$m" $(DESTDIR)$(PREFIX)/share/man/man8/; done; true

clean:
	rm -rf build build-san build-fuzz tapflow tapflowctl tests/out bench/out

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
