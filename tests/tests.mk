# SPDX-License-Identifier: MIT
# The test suites, one directory each under tests/ (lib, common, tools,
# bench, docs, fuzz), with a fragment that adds to:
#   UNIT_TESTS         cmocka binaries under $(BUILD)/; also built and run
#                      under ASan+UBSan and TSan
#   INTEGRATION_TESTS  programs or tests/*/*.sh scripts run once, normal build
#                      (kernel, root, benchmark smoke runs)
#   INTEGRATION_DEPS   what those need built
# `make test` runs everything and ends with one summary line per suite.
# Scripts find the binaries through BUILD, which run.sh passes on.

CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

include tests/lib/tests.mk
include tests/common/tests.mk
include tests/tools/tests.mk
include tests/bench/tests.mk
include tests/docs/tests.mk
include tests/fuzz/tests.mk
include tests/preload/tests.mk

.PHONY: test test-unit test-integration test-asan test-tsan build-tests
build-tests: all $(UNIT_TESTS) $(INTEGRATION_DEPS)

test-unit: $(UNIT_TESTS)
	$(Q)BUILD=$(BUILD) tests/run.sh "unit tests$(if $(SAN), ($(SAN)))" $(UNIT_TESTS)

test-integration: all $(INTEGRATION_DEPS)
	$(Q)BUILD=$(BUILD) tests/run.sh "integration tests" $(INTEGRATION_TESTS)

test-asan:
	$(Q)$(MAKE) --no-print-directory SAN=asan test-unit

test-tsan:
	$(Q)$(MAKE) --no-print-directory SAN=tsan test-unit

# Every suite runs even when an earlier one fails; the exit status reports
# whether all passed.
test:
	$(Q)./scripts/install-deps.sh
	$(Q)$(MAKE) --no-print-directory build-tests
	$(Q)rc=0; export LG_TEST_TOTALS=$$(mktemp); \
	$(MAKE) --no-print-directory test-unit || rc=1; \
	$(MAKE) --no-print-directory test-asan || rc=1; \
	$(MAKE) --no-print-directory test-tsan || rc=1; \
	$(MAKE) --no-print-directory test-integration || rc=1; \
	awk '{p+=$$1; f+=$$2; s+=$$3} END {printf "total: %d passed, %d failed, %d skipped\n", p, f, s}' $$LG_TEST_TOTALS; \
	rm -f $$LG_TEST_TOTALS; exit $$rc

# Long stress runs: the soak with contents (tests/lib/test_soak.c, 40 s per
# build in `make test`), the concurrency tests and the prefetch ring churn,
# for SOAK_SECONDS each, in the normal, ASan and TSan builds.
SOAK_SECONDS ?= 300
SOAK_TESTS := test_soak test_concurrency test_prefetch_async
.PHONY: soak
soak:
	$(Q)$(MAKE) --no-print-directory $(addprefix $(BUILD)/tests/lib/,$(SOAK_TESTS))
	$(Q)$(MAKE) --no-print-directory SAN=asan $(addprefix $(call build_dir,asan)/tests/lib/,$(SOAK_TESTS))
	$(Q)$(MAKE) --no-print-directory SAN=tsan $(addprefix $(call build_dir,tsan)/tests/lib/,$(SOAK_TESTS))
	$(Q)LGALLOC_STRESS_SECONDS=$(SOAK_SECONDS) BUILD=$(BUILD) tests/run.sh "soak ($(SOAK_SECONDS) s per test)" \
		$(foreach b,$(BUILD) $(call build_dir,asan) $(call build_dir,tsan),$(addprefix $(b)/tests/lib/,$(SOAK_TESTS)))
