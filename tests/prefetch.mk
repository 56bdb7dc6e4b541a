# SPDX-License-Identifier: MIT
# Asynchronous prefetch on swapped memory: a workload run under lgrun by
# tests/prefetch_swap_test.sh.  Include after lib/lib.mk and before
# tests/tests.mk, whose build-tests and test-integration rules expand
# INTEGRATION_DEPS when they are read.

PREFETCH_SWAP_WORKLOAD := $(BUILD)/tests/prefetch_swap_workload

$(PREFETCH_SWAP_WORKLOAD): tests/prefetch_swap_workload.c lib/include/lgalloc.h $(LIB_A)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -Ilib/include $< $(LIB_A) -o $@ $(ALL_LDFLAGS) $(LIB_LDLIBS)

INTEGRATION_TESTS += tests/prefetch_swap_test.sh
INTEGRATION_DEPS += $(PREFETCH_SWAP_WORKLOAD)
