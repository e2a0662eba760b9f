# retain - plain Makefile. `make` builds build/retain, build/libretain.a, build/libretain.so.
# SPDX-License-Identifier: MIT

CC      ?= cc
BUILD   ?= build
PREFIX  ?= /usr/local
VERSION := 0.1.0

WARN    := -Wall -Wextra -Werror -Wshadow -Wconversion -Wdouble-promotion \
           -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wundef
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
OPT     ?= -O2 -g
CFLAGS  ?=
CFLAGS_ALL := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -fvisibility=hidden -fPIC \
              -Iinclude -Isrc -DRT_BUILDING $(SANFLAGS) $(CFLAGS)
LDLIBS  := -lz -lm -lpthread -llbfgs

LIB_SRC := $(sort $(wildcard src/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
EX_SRC  := $(sort $(wildcard examples/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
EX_BIN  := $(EX_SRC:examples/%.c=$(BUILD)/examples/%)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all test unit cli-test examples asan fuzz bench demo install uninstall format \
        format-check clean deps

all: $(BUILD)/retain $(BUILD)/libretain.a $(BUILD)/libretain.so

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/libretain.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libretain.so: $(LIB_OBJ)
	$(CC) $(SANFLAGS) -shared -Wl,-soname,libretain.so.0 -o $@ $^ $(LDLIBS)

$(BUILD)/retain: $(CLI_OBJ) $(BUILD)/libretain.a
	$(CC) $(SANFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libretain.a $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/*.h) $(BUILD)/libretain.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests -o $@ $< $(BUILD)/libretain.a $(LDLIBS)

$(BUILD)/examples/%: examples/%.c include/retain.h $(BUILD)/libretain.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libretain.a $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libretain.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libretain.a $(LDLIBS)

# The whole suite: unit tests, CLI goldens, examples. Prints one "N passed, N failed" line.
test: all $(TEST_BIN) $(EX_BIN)
	@BUILD=$(BUILD) sh tests/run-all.sh

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	$(MAKE) BUILD=build/asan SAN=1 OPT="-O1 -g" test

# libFuzzer over the CSV tokenizer and loader for $$FUZZ_SECONDS (default 60), after replaying
# the regression inputs in tests/data/fuzz. The library is built once with clang under
# build/fuzz; new inputs collect in build/fuzz/corpus (fuzz/corpus holds the checked-in seeds
# and is only read), crashes are written to build/fuzz/.
FUZZ_DIR := build/fuzz
FUZZ_BIN := $(FUZZ_DIR)/fuzz_csv
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
fuzz:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_DIR) CC=clang OPT="-O1 -g" \
	  SANFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" $(FUZZ_DIR)/libretain.a
	clang -std=c11 -D_GNU_SOURCE -O1 -g $(WARN) -Iinclude -Isrc -DRT_BUILDING \
	  -fsanitize=fuzzer $(FUZZ_SAN) -o $(FUZZ_BIN) fuzz/fuzz_csv.c $(FUZZ_DIR)/libretain.a $(LDLIBS)
	@mkdir -p $(FUZZ_DIR)/corpus
	@if [ -d tests/data/fuzz ]; then $(FUZZ_BIN) -runs=0 -artifact_prefix=$(FUZZ_DIR)/ \
	  tests/data/fuzz; fi
	$(FUZZ_BIN) -max_total_time=$${FUZZ_SECONDS:-60} -max_len=4096 -print_final_stats=1 \
	  -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus fuzz/corpus

bench: all $(BENCH_BIN)
	@sh bench/run.sh $(BUILD)

deps:
	@sh scripts/install-deps

demo: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p demo
	$(BUILD)/retain simulate --customers 20000 --days 730 --seed 42 -o demo/orders.csv
	$(BUILD)/retain summary --format table demo/orders.csv
	$(BUILD)/retain fit --model bgnbd --format table demo/orders.csv

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(BUILD)/retain $(DESTDIR)$(PREFIX)/bin/retain
	install -m 644 $(BUILD)/libretain.a $(DESTDIR)$(PREFIX)/lib/libretain.a
	install -m 755 $(BUILD)/libretain.so $(DESTDIR)$(PREFIX)/lib/libretain.so.$(VERSION)
	ln -sf libretain.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libretain.so.0
	ln -sf libretain.so.0 $(DESTDIR)$(PREFIX)/lib/libretain.so
	install -m 644 include/retain.h $(DESTDIR)$(PREFIX)/include/retain.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' retain.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/retain.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/retain $(DESTDIR)$(PREFIX)/lib/libretain.* \
	  $(DESTDIR)$(PREFIX)/include/retain.h $(DESTDIR)$(PREFIX)/lib/pkgconfig/retain.pc

FORMAT_FILES = $(wildcard include/*.h src/*/*.c src/*/*.h cli/*.c cli/*.h tests/*.h \
                 tests/unit/*.c examples/*.c bench/*.c fuzz/*.c)
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
