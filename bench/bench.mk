# SPDX-License-Identifier: MIT
# lgbench: the benchmark binary, its tests, and the bench targets.
#
#   make bench          install missing packages, build, run the throughput
#                       suite (short windows) and a paging run under lgrun;
#                       CSV and PNG figures land in bench/results/
#                       (TRACE=1, as root: each run under lgtrace --bench,
#                       its JSON in bench/results/*.trace.json)
#   make bench-sweep    the guide's ratio sweep: one lgbench run per memory
#                       limit under lgrun (SWEEP_RAM_MIB, SWEEP_TOTAL_MIB)
#   make bench-plots    PNG figures from the CSV files in bench/results/

LGBENCH := $(BUILD)/bench/lgbench
LGBENCH_SRCS := $(wildcard bench/*.c)
LGBENCH_OBJS := $(LGBENCH_SRCS:%.c=$(BUILD)/%.o)
LGBENCH_LIBS := $(LIB_LDLIBS) $(JANSSON_LIBS) -ldl -lm
# A tracer finds the probes' selection by this dynamic symbol, which
# survives strip (docs/tracing.md, "lgbench's probes").
LGBENCH_LDFLAGS := -Wl,--export-dynamic-symbol=lgbench_probe_ctl
BENCH_CFLAGS := -Ilib/include -Ibench $(COMMON_CFLAGS) $(JANSSON_CFLAGS) -DLG_VERSION='"$(LG_VERSION)"'

all: $(LGBENCH)

$(BUILD)/bench/%.o: bench/%.c $(wildcard bench/*.h common/*.h) lib/include/lgalloc.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $(BENCH_CFLAGS) -c $< -o $@

$(LGBENCH): $(LGBENCH_OBJS) $(LIB_A) $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $(LGBENCH_OBJS) $(LIB_A) $(COMMON_LIB) $(ALL_LDFLAGS) $(LGBENCH_LDFLAGS) $(LGBENCH_LIBS)

LGBENCH_MAN := $(BUILD)/man/lgbench.1
MAN_PAGES += $(LGBENCH_MAN)
$(LGBENCH_MAN): bench/lgbench.1

# lgbench is installed with the tools: it is how a user measures lgalloc
# against the other allocators on their own kernel and THP setting, it needs
# nothing from the source tree (peers are found by SONAME at run time), and
# lgrun's paging runs are made for it.  bench/plot.sh is not: it plots the
# results/ of this tree and needs gnuplot.
.PHONY: install-bench uninstall-bench bench bench-run bench-sweep bench-plots
install: install-bench
install-bench: $(LGBENCH) $(LGBENCH_MAN)
	$(call install_files,755,$(BINDIR),$(LGBENCH))
	$(call install_man,$(LGBENCH_MAN))

uninstall: uninstall-bench
uninstall-bench:
	$(call uninstall_files,$(BINDIR),$(LGBENCH))
	$(call uninstall_man,$(LGBENCH_MAN))

# Settings of `make bench`; override on the command line.
BENCH_RESULTS ?= bench/results
BENCH_THREADS ?= 1,2,4
BENCH_WARMUP_MS ?= 200
BENCH_MEASURE_MS ?= 1000
BENCH_PAGING_MEMORY ?= 256M
BENCH_PAGING_SWAP ?= 4G
BENCH_MAKE_SWAP ?= 2G
# TRACE=1: each lgbench run under `lgtrace --bench --json` (root), the
# document in $(BENCH_RESULTS)/NAME.trace.json and lgbench's own output on
# stderr; TRACE_ARGS adds lgtrace options (--bench-stride N ...).
TRACE ?=
TRACE_ARGS ?=
# With TRACE=1: lgtrace in front of a command, lgbench's stdout to stderr,
# lgtrace's document to $(call bench_out,NAME); nothing without.
bench_lgtrace = $(if $(filter 1,$(TRACE)),$(LGTRACE) --bench --json $(TRACE_ARGS) --)
bench_quiet = $(if $(filter 1,$(TRACE)),sh -c 'exec "$$0" "$$@" >&2')
bench_out = $(if $(filter 1,$(TRACE)),> $(BENCH_RESULTS)/$(1).trace.json)

bench:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory bench-run
	$(Q)$(MAKE) --no-print-directory bench-plots

bench-run: $(LGBENCH) $(LGRUN) $(if $(filter 1,$(TRACE)),$(LGTRACE))
	$(Q)mkdir -p $(BENCH_RESULTS)
	$(bench_lgtrace) $(bench_quiet) $(LGBENCH) --threads $(BENCH_THREADS) --warmup-ms $(BENCH_WARMUP_MS) \
		--measure-ms $(BENCH_MEASURE_MS) --csv-out $(BENCH_RESULTS)/throughput.csv $(call bench_out,throughput)
	$(bench_lgtrace) $(LGRUN) --memory $(BENCH_PAGING_MEMORY) --swap $(BENCH_PAGING_SWAP) --make-swap $(BENCH_MAKE_SWAP) -- \
		$(bench_quiet) $(LGBENCH) --paging --warmup-ms $(BENCH_WARMUP_MS) --measure-ms $(BENCH_MEASURE_MS) \
		--csv-out $(BENCH_RESULTS)/paging.csv $(call bench_out,paging)

# The guide's loop: a fixed working set under shrinking limits, swap allowed
# up to 8 GiB in all.  Each limit writes its own sweep-RAM.csv.
SWEEP_RAM_MIB ?= 4096 2048 1024 512 256
SWEEP_TOTAL_MIB ?= 4096
SWEEP_ARGS ?=
SWEEP_MAKE_SWAP ?= $(shell echo $$(( $(SWEEP_TOTAL_MIB) + 1024 )))M

bench-sweep: $(LGBENCH) $(LGRUN)
	$(Q)mkdir -p $(BENCH_RESULTS)
	$(Q)set -e; for ram in $(SWEEP_RAM_MIB); do \
		echo "=== ratio sweep: $${ram} MiB RAM, $(SWEEP_TOTAL_MIB) MiB working set"; \
		$(LGRUN) --memory $${ram}M --swap $$((8192 - ram))M --make-swap $(SWEEP_MAKE_SWAP) -- \
			$(LGBENCH) --ratio-sweep --total-mib $(SWEEP_TOTAL_MIB) $(SWEEP_ARGS) \
			--csv-out $(BENCH_RESULTS)/sweep-$${ram}.csv; \
	done

bench-plots:
	$(Q)bench/plot.sh $(BENCH_RESULTS)
