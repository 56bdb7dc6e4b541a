# SPDX-License-Identifier: MIT
# The kernel side of the BPF tools: each tool's CO-RE object (compiled
# against vmlinux/, so the build needs no kernel BTF) and its bpftool
# skeleton, which the user side in tools/<tool>/ includes.
#
# The BPF objects are built without $(ALL_CFLAGS): sanitizer and host flags
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

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c bpf/%.h $(wildcard vmlinux/*.h vmlinux/*/vmlinux.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@
