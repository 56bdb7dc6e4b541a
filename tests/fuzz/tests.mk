# SPDX-License-Identifier: MIT
# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang
# -fsanitize=fuzzer,address,undefined straight from the sources they test
# (the normal objects carry no coverage instrumentation) into
# $(BUILD)/tests/fuzz/.  Not unit tests (the SAN=asan/tsan builds leave them
# out): tests/fuzz/fuzz_test.sh runs them, in `make test` the API target for
# 60 s and each parser target for 5 s, in `make fuzz` each for FUZZ_SECONDS.
# Seed corpora: tests/fuzz/corpus/<target>/.  tests/fuzz/README.md says how
# to reproduce a crash.

FUZZ_CC ?= clang
# fuzz_test.sh probes the same compiler when a target is not built.
export FUZZ_CC
FUZZ_CFLAGS := -std=gnu11 $(WARNINGS) -D_GNU_SOURCE -pthread -fno-strict-aliasing -O1 -g \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_DIR := $(BUILD)/tests/fuzz
FUZZ_TARGETS ?= api parse procfs mountinfo lgtrace_opts lgrun_opts
FUZZ_BINS := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))
FUZZ_HDRS := tests/fuzz/fuzz_util.h $(wildcard lib/include/*.h lib/src/*.h common/*.h tools/*/options.h)

# Whether clang links libFuzzer here (Debian: libclang-rt-dev); probed in the
# normal build only.  Without it the targets are not built and fuzz_test.sh
# skips them with the reason.
ifeq ($(SAN),)
FUZZ_OK := $(shell echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' | \
	$(FUZZ_CC) -x c -fsanitize=fuzzer - -o /dev/null >/dev/null 2>&1 && echo yes)
endif

# fuzz_rule TARGET, SOURCES, CFLAGS, LIBS
define fuzz_rule
$(FUZZ_DIR)/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(2) $(FUZZ_HDRS)
	$$(call msg,FUZZCC,$$@)
	$$(Q)mkdir -p $$(@D) && $$(FUZZ_CC) $$(FUZZ_CFLAGS) -I. $(3) $$< $(2) -o $$@ $(4)
endef
$(eval $(call fuzz_rule,api,$(LIB_SRCS),-Ilib/include -Ilib/src,$(LIB_LDLIBS)))
$(eval $(call fuzz_rule,parse,common/parse.c,,-lm))
$(eval $(call fuzz_rule,procfs,common/procfs.c,,))
$(eval $(call fuzz_rule,mountinfo,common/cgroup.c common/parse.c common/procfs.c common/timeutil.c,,))
$(eval $(call fuzz_rule,lgtrace_opts,tools/lgtrace/options.c common/parse.c,-Itools/lgtrace,-lm))
$(eval $(call fuzz_rule,lgrun_opts,tools/lgrun/options.c common/parse.c,-Itools/lgrun,-lm))

ifeq ($(FUZZ_OK),yes)
INTEGRATION_DEPS += $(FUZZ_BINS)
FUZZ_DEPS := $(FUZZ_BINS)
endif
INTEGRATION_TESTS += tests/fuzz/fuzz_test.sh

# make fuzz [FUZZ_SECONDS=300] [FUZZ_TARGETS="api parse"]: each target for
# FUZZ_SECONDS, its new inputs kept in $(BUILD)/tests/fuzz/corpus/<target>/.
FUZZ_SECONDS ?= 300
.PHONY: fuzz
fuzz: $(FUZZ_DEPS)
	$(Q)BUILD=$(BUILD) FUZZ_API_SECONDS=$(FUZZ_SECONDS) FUZZ_PARSER_SECONDS=$(FUZZ_SECONDS) \
		FUZZ_TARGETS="$(FUZZ_TARGETS)" FUZZ_KEEP_CORPUS=1 \
		tests/run.sh "fuzz ($(FUZZ_SECONDS) s per target)" tests/fuzz/fuzz_test.sh
