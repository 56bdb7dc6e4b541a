# SPDX-License-Identifier: MIT
# The library's suites: cmocka unit tests (tests/lib/test_*.c, linked with
# the static library, private headers allowed, and common/ for time), the install and ABI test,
# the Debian packages (deb_test.sh: built, lintian, unpacked and used),
# asynchronous prefetch on swapped memory under lgrun, unloading (dlclose),
# and the layout (scripts/check-layout.sh: no call cycle in the library).

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

# dlclose: a host that loads the shared library, and a plugin linked with
# the archive, by path.
DLCLOSE_HOST := $(BUILD)/tests/lib/dlclose_host
DLCLOSE_PLUGIN := $(BUILD)/tests/lib/dlclose_plugin.so

$(DLCLOSE_HOST): tests/lib/dlclose_host.c lib/include/lgalloc.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -Ilib/include $< -o $@ $(ALL_LDFLAGS)

# (The archive's compatibility symbols need the version nodes of the map.)
$(DLCLOSE_PLUGIN): $(LIB_A) lib/liblgalloc.map
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) -shared -o $@ -Wl,--version-script=lib/liblgalloc.map \
		-Wl,--whole-archive $(LIB_A) -Wl,--no-whole-archive \
		$(ALL_LDFLAGS) $(LIB_LDLIBS)

INTEGRATION_TESTS += $(DLCLOSE_HOST) $(CTOR_STATIC) tests/lib/install_test.sh tests/lib/deb_test.sh \
	tests/lib/prefetch_swap_test.sh tests/lib/layout_test.sh
INTEGRATION_DEPS += lib $(PREFETCH_SWAP_WORKLOAD) $(CTOR_STATIC) $(DLCLOSE_HOST) $(DLCLOSE_PLUGIN) $(LGRUN)
