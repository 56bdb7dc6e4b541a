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

# The man pages: the API, lgalloc(3), and the overview, lgalloc(7).
LIB_MAN := $(BUILD)/man/lgalloc.3 $(BUILD)/man/lgalloc.7
MAN_PAGES += $(LIB_MAN)
$(BUILD)/man/lgalloc.3: lib/lgalloc.3
$(BUILD)/man/lgalloc.7: lib/lgalloc.7

LIB_HEADERS := lib/include/lgalloc.h
LIB_SUBHEADERS := lib/include/lgalloc/registry.h
# The shared library's two symlinks: the SONAME and the development name.
LIB_SO_LINKS := liblgalloc.so.$(LG_SOVERSION) liblgalloc.so

# Written at install time: it names the PREFIX of that install.
define install_pc
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LG_VERSION)|' \
		lib/lgalloc.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/lgalloc.pc
endef

.PHONY: install-lib uninstall-lib
install: install-lib
install-lib: lib $(LIB_MAN)
	$(call install_files,644,$(INCLUDEDIR),$(LIB_HEADERS))
	$(call install_files,644,$(INCLUDEDIR)/lgalloc,$(LIB_SUBHEADERS))
	$(call install_files,644,$(LIBDIR),$(LIB_A))
	$(call install_files,755,$(LIBDIR),$(LIB_SO))
	ln -sf liblgalloc.so.$(LG_VERSION) $(DESTDIR)$(LIBDIR)/liblgalloc.so.$(LG_SOVERSION)
	ln -sf liblgalloc.so.$(LG_SOVERSION) $(DESTDIR)$(LIBDIR)/liblgalloc.so
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	$(install_pc)
	$(call install_man,$(LIB_MAN))

uninstall: uninstall-lib
uninstall-lib:
	$(call uninstall_files,$(INCLUDEDIR),$(LIB_HEADERS))
	$(call uninstall_files,$(INCLUDEDIR)/lgalloc,$(LIB_SUBHEADERS))
	[ ! -d $(DESTDIR)$(INCLUDEDIR)/lgalloc ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$(INCLUDEDIR)/lgalloc
	$(call uninstall_files,$(LIBDIR),$(LIB_A) $(LIB_SO) $(LIB_SO_LINKS))
	rm -f $(DESTDIR)$(LIBDIR)/pkgconfig/lgalloc.pc
	$(call uninstall_man,$(LIB_MAN))
