# SPDX-License-Identifier: MIT
# The command-line tools.  Each tool's user-space sources and man page live
# in tools/<tool>/; a BPF tool's kernel side (<tool>.bpf.c and the header
# both sides share) lives in bpf/ (bpf/bpf.mk builds its skeleton).
#
#   lgrun    runs a command under a memory limit (cgroup v1/v2, swap file)
#   lgtrace  CO-RE eBPF tracer of page faults, swap-ins, mmap_lock per pool

# Helpers shared by the tools (and lgbench) are in common/ ($(COMMON_LIB)).
TOOLS_CFLAGS := -Ilib/include $(COMMON_CFLAGS) -DLG_VERSION='"$(LG_VERSION)"'

LGRUN := $(BUILD)/tools/lgrun
LGRUN_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/lgrun/*.c))

LGTRACE := $(BUILD)/tools/lgtrace
LGTRACE_SKEL := $(BUILD)/bpf/lgtrace.skel.h
LGTRACE_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/lgtrace/*.c))
# The reporting code needs no skeleton: its unit test links it alone.
LGTRACE_REPORT_OBJ := $(BUILD)/obj/tools/lgtrace/report.o
LGTRACE_BENCHSTAT_OBJ := $(BUILD)/obj/tools/lgtrace/benchstat.o

TOOLS := $(LGRUN) $(LGTRACE)
TOOLS_MAN := $(BUILD)/man/lgrun.1 $(BUILD)/man/lgtrace.8
MAN_PAGES += $(TOOLS_MAN)

all: tools
.PHONY: tools lgrun lgtrace install-tools uninstall-tools
tools: $(TOOLS) $(TOOLS_MAN)
lgrun: $(LGRUN)
lgtrace: $(LGTRACE)

# Objects under obj/: the binaries take the directories' names.
$(BUILD)/obj/tools/%.o: tools/%.c $(wildcard tools/*/*.h common/*.h) lib/include/lgalloc.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $(TOOLS_CFLAGS) -c $< -o $@

$(LGRUN): $(LGRUN_OBJS) $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) -o $@ $^ $(ALL_LDFLAGS)

$(LGTRACE_OBJS): TOOLS_CFLAGS += $(LIBBPF_CFLAGS) $(JANSSON_CFLAGS) -I$(BUILD)/bpf -Ibpf
$(LGTRACE_OBJS): bpf/lgtrace.h $(wildcard lib/include/lgalloc/*.h)
$(filter-out $(LGTRACE_REPORT_OBJ) $(LGTRACE_BENCHSTAT_OBJ),$(LGTRACE_OBJS)): $(LGTRACE_SKEL)
$(LGTRACE): $(LGTRACE_OBJS) $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ $(ALL_LDFLAGS) $(LIBBPF_LIBS) $(JANSSON_LIBS) -lm

$(BUILD)/man/lgrun.1: tools/lgrun/lgrun.1
$(BUILD)/man/lgtrace.8: tools/lgtrace/lgtrace.8

install: install-tools
install-tools: tools
	$(call install_files,755,$(BINDIR),$(TOOLS))
	$(call install_man,$(TOOLS_MAN))

uninstall: uninstall-tools
uninstall-tools:
	$(call uninstall_files,$(BINDIR),$(TOOLS))
	$(call uninstall_man,$(TOOLS_MAN))
