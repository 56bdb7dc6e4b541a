# SPDX-License-Identifier: MIT
# common/: the helper layer of the programs (bench/, tools/*): launching a
# command, cgroups, /proc, swap files, parsing, time, log2 histograms, JSON.
# Built as a static library; never linked into liblgalloc.  Programs include
# "common/xxx.h" with -I.
#
# Dependency arrows: programs -> common/ -> libc.  common/ includes nothing
# from bench/ or tools/ and prints nothing: its helpers return errors.

COMMON_SRCS := $(wildcard common/*.c)
COMMON_OBJS := $(COMMON_SRCS:%.c=$(BUILD)/%.o)
COMMON_LIB := $(BUILD)/common/libcommon.a
COMMON_CFLAGS := -I.
# common/json.c writes through jansson; programs that use it link JANSSON_LIBS.
JANSSON_CFLAGS := $(shell pkg-config --cflags jansson 2>/dev/null)
JANSSON_LIBS := $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)

all: $(COMMON_LIB)

# -fPIC: the preload library (preload/preload.mk) links parse.o.
$(BUILD)/common/%.o: common/%.c $(wildcard common/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -fPIC $(COMMON_CFLAGS) $(JANSSON_CFLAGS) -c $< -o $@

$(COMMON_LIB): $(COMMON_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
