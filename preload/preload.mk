# SPDX-License-Identifier: MIT
# liblgalloc_preload.so: malloc and its family for unmodified programs
# (LD_PRELOAD), docs/preload.md.  One self-contained object: the library's
# archive (whose address map the ownership test reads inline) and
# common/parse (the environment's sizes and numbers) are linked in, so
# nothing but libc and liburing needs to be found at load time.

PRELOAD_SRCS := $(wildcard preload/*.c)
PRELOAD_OBJS := $(PRELOAD_SRCS:%.c=$(BUILD)/%.o)
PRELOAD_SO := $(BUILD)/lib/liblgalloc_preload.so
PRELOAD_CFLAGS := -Ilib/include -Ilib/src $(COMMON_CFLAGS) -fPIC -fvisibility=hidden

all: preload
.PHONY: preload install-preload
preload: $(PRELOAD_SO)

$(BUILD)/preload/%.o: preload/%.c $(wildcard preload/*.h) $(wildcard lib/src/*.h lib/include/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $(PRELOAD_CFLAGS) -c $< -o $@

# The library's objects as one relocatable object with the symbol versions
# taken off (lgalloc_configure@@LGALLOC_0.3 becomes lgalloc_configure), so
# that the preload's version script can keep every lgalloc_* symbol private:
# a program that also links liblgalloc.so must not bind part of its API to
# this private copy.  The compatibility versions (compat_*.c) stay out.
PRELOAD_LIB_OBJ := $(BUILD)/preload/private/lgalloc.o

$(PRELOAD_LIB_OBJ): $(filter-out $(BUILD)/lib/src/compat_%.o,$(LIB_OBJS))
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(LD) -r -o $@.tmp $^ && \
		objcopy $$(nm $@.tmp | awk '$$3 ~ /@/ { v = $$3; sub(/@.*/, "", v); print "--redefine-sym", $$3 "=" v }') \
		$@.tmp $@ && rm -f $@.tmp

# Unversioned exports (preload/preload.map): malloc & co only.
$(PRELOAD_SO): $(PRELOAD_OBJS) $(PRELOAD_LIB_OBJ) $(BUILD)/common/parse.o preload/preload.map
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) -shared -Wl,-soname,liblgalloc_preload.so \
		-Wl,--version-script=preload/preload.map -Wl,-z,defs \
		-o $@ $(PRELOAD_OBJS) $(PRELOAD_LIB_OBJ) $(BUILD)/common/parse.o $(ALL_LDFLAGS) $(LIB_LDLIBS) -ldl

install: install-preload
install-preload: preload
	install -d $(DESTDIR)$(LIBDIR)
	install -m 755 $(PRELOAD_SO) $(DESTDIR)$(LIBDIR)/

uninstall: uninstall-preload
.PHONY: uninstall-preload
uninstall-preload:
	rm -f $(DESTDIR)$(LIBDIR)/liblgalloc_preload.so
