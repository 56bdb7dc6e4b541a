# SPDX-License-Identifier: MIT
# lgtrace: the CO-RE BPF object (compiled against vmlinux/, so the build
# needs no kernel BTF), its skeleton, and the user program.
#
# The BPF object is built without $(ALL_CFLAGS): sanitizer and host flags
# make no sense for -target bpf.

CLANG ?= clang
BPFTOOL ?= bpftool
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
# The host's system include directories, after clang's own: asm/ headers
# for the libbpf headers (libbpf-bootstrap's recipe).
BPF_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS := -target bpf -g -O2 -Wall -Werror -D__TARGET_ARCH_$(BPF_ARCH) -Ivmlinux -Ibpf $(BPF_SYS_INCLUDES)

LIBBPF_CFLAGS := $(shell pkg-config --cflags libbpf 2>/dev/null)
LIBBPF_LIBS := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf) -lelf -lz

LGTRACE := $(BUILD)/tools/lgtrace
LGTRACE_BPF_OBJ := $(BUILD)/bpf/lgtrace.bpf.o
LGTRACE_SKEL := $(BUILD)/bpf/lgtrace.skel.h
LGTRACE_WORK := $(BUILD)/tests/lgtrace/lgtrace_work

all: lgtrace
.PHONY: lgtrace install-lgtrace uninstall-lgtrace
lgtrace: $(LGTRACE)

$(LGTRACE_BPF_OBJ): bpf/lgtrace.bpf.c bpf/lgtrace.h $(wildcard vmlinux/*.h vmlinux/*/vmlinux.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(LGTRACE_SKEL): $(LGTRACE_BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name lgtrace_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/lgtrace.o: bpf/lgtrace.c bpf/lgtrace.h lib/src/area_registry.h $(LGTRACE_SKEL)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $(LIBBPF_CFLAGS) -I$(BUILD)/bpf -Ibpf -c $< -o $@

$(LGTRACE): $(BUILD)/bpf/lgtrace.o
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) -o $@ $^ $(ALL_LDFLAGS) $(LIBBPF_LIBS)

install: install-lgtrace
install-lgtrace: lgtrace
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(LGTRACE) $(DESTDIR)$(BINDIR)/
	install -m 644 bpf/lgtrace.8 $(DESTDIR)$(MANDIR)/man8/

uninstall: uninstall-lgtrace
uninstall-lgtrace:
	rm -f $(DESTDIR)$(BINDIR)/lgtrace $(DESTDIR)$(MANDIR)/man8/lgtrace.8

# The test workload links the static library: its USDT probe and registry
# are then in the executable itself; the shared variant covers the
# liblgalloc.so path.  Both use liburing themselves (LIB_LDLIBS).
$(LGTRACE_WORK): tests/lgtrace/lgtrace_work.c $(LIB_A)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -Ilib/include $< $(LIB_A) -o $@ $(ALL_LDFLAGS) $(LIB_LDLIBS)

$(LGTRACE_WORK)-shared: tests/lgtrace/lgtrace_work.c $(LIB_SO)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -Ilib/include $< -o $@ $(ALL_LDFLAGS) \
		-L$(BUILD)/lib -Wl,-rpath,$(abspath $(BUILD)/lib) -llgalloc $(LIB_LDLIBS)

INTEGRATION_TESTS += tests/lgtrace_test.sh
INTEGRATION_DEPS += $(LGTRACE) $(LGTRACE_WORK) $(LGTRACE_WORK)-shared
