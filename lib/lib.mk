# SPDX-License-Identifier: MIT
# liblgalloc: static and shared library, pkg-config file, install.

LIB_SRCS := $(wildcard lib/src/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB_CFLAGS := -Ilib/include -Ilib/src -fPIC -fvisibility=hidden
LIB_A := $(BUILD)/lib/liblgalloc.a
LIB_SO := $(BUILD)/lib/liblgalloc.so.$(LG_VERSION)
# What a program linking $(LIB_A) needs besides it (the .so records it).
LIB_LDLIBS := $(shell pkg-config --libs liburing 2>/dev/null || echo -luring)

all: lib
.PHONY: lib
lib: $(LIB_A) $(LIB_SO)

$(BUILD)/lib/src/%.o: lib/src/%.c $(wildcard lib/src/*.h) $(wildcard lib/include/*.h lib/include/lgalloc/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -c $< -o $@

$(LIB_A): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(LIB_SO): $(LIB_OBJS) lib/liblgalloc.map
	$(call msg,LD,$@)
	$(Q)$(CC) -shared -Wl,-soname,liblgalloc.so.$(LG_SOVERSION) \
		-Wl,--version-script=lib/liblgalloc.map -Wl,-z,defs \
		-o $@ $(LIB_OBJS) $(ALL_LDFLAGS) $(LIB_LDLIBS)
	$(Q)ln -sf liblgalloc.so.$(LG_VERSION) $(BUILD)/lib/liblgalloc.so.$(LG_SOVERSION)
	$(Q)ln -sf liblgalloc.so.$(LG_SOVERSION) $(BUILD)/lib/liblgalloc.so

# Written at install time: it names the PREFIX of that install.
define install_pc
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LG_VERSION)|' \
		lib/lgalloc.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/lgalloc.pc
endef

.PHONY: install-lib
install: install-lib
install-lib: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/lgalloc
	install -m 644 lib/include/lgalloc.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 lib/include/lgalloc/registry.h $(DESTDIR)$(INCLUDEDIR)/lgalloc/
	install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf liblgalloc.so.$(LG_VERSION) $(DESTDIR)$(LIBDIR)/liblgalloc.so.$(LG_SOVERSION)
	ln -sf liblgalloc.so.$(LG_SOVERSION) $(DESTDIR)$(LIBDIR)/liblgalloc.so
	$(install_pc)

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/lgalloc.h $(DESTDIR)$(INCLUDEDIR)/lgalloc/registry.h \
		$(DESTDIR)$(LIBDIR)/liblgalloc.a \
		$(DESTDIR)$(LIBDIR)/liblgalloc.so* $(DESTDIR)$(LIBDIR)/pkgconfig/lgalloc.pc
	-rmdir $(DESTDIR)$(INCLUDEDIR)/lgalloc 2>/dev/null
