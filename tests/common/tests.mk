# SPDX-License-Identifier: MIT
# The helper layer's unit tests: cmocka, no root, one per module
# (tests/common/test_X.c tests common/X.c), linked with libcommon.a.

COMMON_UNIT_TESTS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/common/test_*.c))
UNIT_TESTS += $(COMMON_UNIT_TESTS)

$(BUILD)/tests/common/test_%: tests/common/test_%.c $(COMMON_LIB)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $(COMMON_CFLAGS) $(JANSSON_CFLAGS) $< $(COMMON_LIB) -o $@ \
		$(ALL_LDFLAGS) $(JANSSON_LIBS) -lm $(CMOCKA_LIBS)
