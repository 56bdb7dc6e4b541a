# SPDX-License-Identifier: MIT
# The library's suites: cmocka unit tests (tests/lib/test_*.c, linked with
# the static library, private headers allowed, and common/ for time), the install and ABI test,
# asynchronous prefetch on swapped memory under lgrun, and the layout
# (scripts/check-layout.sh: no call cycle in the library).

LIB_TEST_CFLAGS := -Ilib/include -Ilib/src $(COMMON_CFLAGS)

UNIT_TESTS += $(patsubst %.c,$(BUILD)/%,$(wildcard tests/lib/test_*.c))

$(BUILD)/tests/lib/test_%: tests/lib/test_%.c tests/lib/test_util.h $(LIB_A) $(COMMON_LIB)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $(LIB_TEST_CFLAGS) $< $(LIB_A) $(COMMON_LIB) -o $@ \
		$(ALL_LDFLAGS) $(LIB_LDLIBS) $(CMOCKA_LIBS)

PREFETCH_SWAP_WORKLOAD := $(BUILD)/tests/lib/prefetch_swap_workload

$(PREFETCH_SWAP_WORKLOAD): tests/lib/prefetch_swap_workload.c lib/include/lgalloc.h $(LIB_A)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -Ilib/include $< $(LIB_A) -o $@ $(ALL_LDFLAGS) $(LIB_LDLIBS)

# A program constructor that uses the static library.
CTOR_STATIC := $(BUILD)/tests/lib/ctor_static

$(CTOR_STATIC): tests/lib/ctor_static.c lib/include/lgalloc.h $(LIB_A)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -Ilib/include $< $(LIB_A) -o $@ $(ALL_LDFLAGS) $(LIB_LDLIBS)

INTEGRATION_TESTS += $(CTOR_STATIC) tests/lib/install_test.sh tests/lib/prefetch_swap_test.sh tests/lib/layout_test.sh
INTEGRATION_DEPS += lib $(PREFETCH_SWAP_WORKLOAD) $(CTOR_STATIC) $(LGRUN)
