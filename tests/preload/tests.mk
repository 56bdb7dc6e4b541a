# SPDX-License-Identifier: MIT
# liblgalloc_preload.so (preload/): preload_test.sh runs semantics.c, the
# dlsym shim and real programs under LD_PRELOAD; measure.c also gives
# docs/preload.md its figures (run by hand: it times things).
#
# An integration test, normal build only: ASan and TSan interpose malloc
# themselves and insist on being loaded first, so a malloc preload cannot
# run under them; the library code inside the preload is the one the unit
# suites run under both.

PRELOAD_TEST_BINS := $(addprefix $(BUILD)/tests/preload/,semantics measure shim_dlsym.so shim_mmap.so)

$(BUILD)/tests/preload/semantics: tests/preload/semantics.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $< -o $@ $(ALL_LDFLAGS) -ldl

$(BUILD)/tests/preload/measure: tests/preload/measure.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $< -o $@ $(ALL_LDFLAGS)

$(BUILD)/tests/preload/shim_dlsym.so: tests/preload/shim_dlsym.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -fPIC -shared $< -o $@ $(ALL_LDFLAGS) -ldl

$(BUILD)/tests/preload/shim_mmap.so: tests/preload/shim_mmap.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -fPIC -shared $< -o $@ $(ALL_LDFLAGS)

INTEGRATION_TESTS += tests/preload/preload_test.sh
INTEGRATION_DEPS += preload $(PRELOAD_TEST_BINS)

# numpy's own test suite under the preload (numpy_test.sh: about 3 min
# here, under glibc the same): its own target, and part of make test's
# integration suite.
INTEGRATION_TESTS += tests/preload/numpy_test.sh
.PHONY: test-numpy
test-numpy: preload
	$(Q)BUILD=$(BUILD) tests/run.sh "numpy test suite" tests/preload/numpy_test.sh
