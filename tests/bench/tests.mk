# SPDX-License-Identifier: MIT
# lgbench's suites: unit tests of single files (test_X links bench/X.c and
# what X needs) and smoke runs of every mode; the paging one runs under
# lgrun (root).

BENCH_UNIT_TESTS := $(BUILD)/tests/bench/test_hist
UNIT_TESTS += $(BENCH_UNIT_TESTS)

$(BUILD)/tests/bench/test_hist: tests/bench/test_hist.c bench/hist.c bench/hist.h
$(BENCH_UNIT_TESTS):
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $(BENCH_CFLAGS) $(filter %.c,$^) -o $@ \
		$(ALL_LDFLAGS) -lm $(CMOCKA_LIBS)

INTEGRATION_TESTS += tests/bench/smoke_test.sh tests/bench/paging_test.sh
INTEGRATION_DEPS += $(LGBENCH) $(LGRUN)
