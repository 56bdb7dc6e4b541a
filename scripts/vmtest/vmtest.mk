# SPDX-License-Identifier: MIT
# make vmtest: the kernel-facing suites on another kernel, in a qemu VM
# (scripts/vmtest/vmtest.sh; docs/vmtest.md).  Not part of make test.
#
#   make vmtest                  Debian 12's cloud kernel (6.1)
#   make vmtest KERNEL=X         X: a Debian kernel package (name, release or
#                                NAME=VERSION) or a vmlinuz path
#   make vmtest-selftest         the runner's own test (exit status, cleanup
#                                after Ctrl-C, errors); make vmtest runs it first
#
# The guest runs the normal build's unit suites and the integration tests
# that exercise the kernel, with the host's binaries (it sees the host's root).

VMTEST_INTEGRATION := tests/tools/lgrun_test.sh tests/tools/lgtrace_test.sh tests/tools/lgtrace_bench_test.sh \
	tests/lib/prefetch_swap_test.sh tests/bench/paging_test.sh
KERNEL ?=
export KERNEL

.PHONY: vmtest vmtest-deps vmtest-selftest
vmtest-deps:
	$(Q)./scripts/install-deps.sh
	$(Q)./scripts/install-deps.sh --vmtest

vmtest-selftest: vmtest-deps
	$(Q)scripts/vmtest/selftest.sh

vmtest: vmtest-deps
	$(Q)$(MAKE) --no-print-directory build-tests
	$(Q)$(MAKE) --no-print-directory vmtest-selftest
	$(Q)scripts/vmtest/vmtest.sh -e BUILD=$(BUILD) -- \
		scripts/vmtest/suites.sh "$(UNIT_TESTS)" "$(VMTEST_INTEGRATION)"
