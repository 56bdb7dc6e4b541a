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
# bench/plot-causes.sh on a hand-made lgtrace --bench --json (gnuplot, jq).
INTEGRATION_TESTS += tests/bench/plot_causes_test.sh
# lgtrace --bench on lgbench --causes and --paging: tail attribution and the
# paging split (root, BTF; SKIP while lgtrace has no --bench).
INTEGRATION_TESTS += tests/bench/causes_test.sh
INTEGRATION_DEPS += $(LGTRACE)
INTEGRATION_DEPS += $(LGBENCH) $(LGRUN)

# The application workloads (bench/apps/), quick runs under glibc and the
# preload: apps_test.sh (about 5 s).
INTEGRATION_TESTS += tests/bench/apps_test.sh
# PostgreSQL 15 under the preload (bench/apps/postgres.sh --quick under glibc
# and under liblgalloc_preload.so, results compared byte for byte): about
# 20 s; SKIP without postgresql-15.
INTEGRATION_TESTS += tests/bench/postgres_test.sh
INTEGRATION_DEPS += preload

# lgbench's USDT probes: a minimal libbpf consumer (probe_trace, root), its
# BPF object built like bpf/bpf.mk builds the tools' (BPF_CFLAGS, bpftool
# skeleton), and a Python helper that reads the semaphores of a child.
PROBE_TRACE := $(BUILD)/tests/bench/probe_trace

$(BUILD)/tests/bench/probe_trace.bpf.o: tests/bench/probe_trace.bpf.c tests/bench/probe_trace.h \
		$(wildcard vmlinux/*.h vmlinux/*/vmlinux.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -Itests/bench -c $< -o $@

$(BUILD)/tests/bench/probe_trace.skel.h: $(BUILD)/tests/bench/probe_trace.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name probe_trace_bpf > $@.tmp && mv $@.tmp $@

$(PROBE_TRACE): tests/bench/probe_trace.c tests/bench/probe_trace.h $(BUILD)/tests/bench/probe_trace.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LIBBPF_CFLAGS) -Itests/bench -I$(BUILD)/tests/bench $< -o $@ \
		$(ALL_LDFLAGS) $(LIBBPF_LIBS)

INTEGRATION_TESTS += tests/bench/probes_test.sh
INTEGRATION_DEPS += $(PROBE_TRACE)
