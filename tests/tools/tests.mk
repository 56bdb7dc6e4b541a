# SPDX-License-Identifier: MIT
# The tools' suites: lgtrace's reporting fed made-up snapshots (cmocka, no
# root), lgrun and lgtrace end to end (root, cgroups, BPF), with lgtrace's
# workload program.

# The reporting code alone (report.o, common/'s log2 histograms, jansson,
# libm): no BPF, no main.
LGTRACE_REPORT_TEST := $(BUILD)/tests/tools/test_lgtrace_report
UNIT_TESTS += $(LGTRACE_REPORT_TEST)

$(LGTRACE_REPORT_TEST): tests/tools/test_lgtrace_report.c $(LGTRACE_REPORT_OBJ) $(COMMON_LIB)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -Itools/lgtrace -Ibpf $(JANSSON_CFLAGS) $< \
		$(LGTRACE_REPORT_OBJ) $(COMMON_LIB) -o $@ $(ALL_LDFLAGS) $(JANSSON_LIBS) -lm $(CMOCKA_LIBS)

# --bench's arithmetic (benchstat.o) on made-up rows: no BPF, no root.
LGTRACE_BENCHSTAT_TEST := $(BUILD)/tests/tools/test_lgtrace_benchstat
UNIT_TESTS += $(LGTRACE_BENCHSTAT_TEST)

$(LGTRACE_BENCHSTAT_TEST): tests/tools/test_lgtrace_benchstat.c $(LGTRACE_BENCHSTAT_OBJ) $(COMMON_LIB)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -Itools/lgtrace -Ibpf $(JANSSON_CFLAGS) $< \
		$(LGTRACE_BENCHSTAT_OBJ) $(COMMON_LIB) -o $@ $(ALL_LDFLAGS) $(JANSSON_LIBS) -lm $(CMOCKA_LIBS)

# Tracepoint signatures from made-up BTF (tpsig.o and libbpf's BTF
# builder): no BPF loaded, no root.
LGTRACE_TPSIG_TEST := $(BUILD)/tests/tools/test_lgtrace_tpsig
UNIT_TESTS += $(LGTRACE_TPSIG_TEST)

$(LGTRACE_TPSIG_TEST): tests/tools/test_lgtrace_tpsig.c $(BUILD)/obj/tools/lgtrace/tpsig.o
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -Itools/lgtrace $(LIBBPF_CFLAGS) $< \
		$(BUILD)/obj/tools/lgtrace/tpsig.o -o $@ $(ALL_LDFLAGS) $(LIBBPF_LIBS) $(CMOCKA_LIBS)

# The workload links the static library: its USDT probe and registry are
# then in the executable itself; the shared variant covers the
# liblgalloc.so path.  Both use liburing themselves (LIB_LDLIBS).
LGTRACE_WORK := $(BUILD)/tests/tools/lgtrace_work

$(LGTRACE_WORK): tests/tools/lgtrace_work.c $(LIB_A)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -Ilib/include $< $(LIB_A) -o $@ $(ALL_LDFLAGS) $(LIB_LDLIBS)

$(LGTRACE_WORK)-shared: tests/tools/lgtrace_work.c $(LIB_SO)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -Ilib/include $< -o $@ $(ALL_LDFLAGS) \
		-L$(BUILD)/lib -Wl,-rpath,$(abspath $(BUILD)/lib) -llgalloc $(LIB_LDLIBS)

INTEGRATION_TESTS += tests/tools/lgrun_test.sh tests/tools/lgrun_swapfs_test.sh tests/tools/lgtrace_test.sh \
	tests/tools/lgtrace_bench_test.sh
INTEGRATION_DEPS += $(LGRUN) $(LGTRACE) $(LGTRACE_WORK) $(LGTRACE_WORK)-shared $(LGBENCH)
