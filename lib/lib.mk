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

# The man pages (lib/man/): lgalloc(3), the map of the API, a page per
# function or exported object, and lgalloc(7), the model.  A page that
# documents several functions is installed once; the others' names are
# symlinks to it (Debian policy 12.1 prefers them to .so pages), listed in
# LIB_MAN_LINKS as NAME.3:PAGE.3.  Every name in a page's NAME section is
# either the page or one of its links (tests/docs/man_test.sh checks).
LIB_MAN_SRCS := $(wildcard lib/man/*.[37])
LIB_MAN := $(LIB_MAN_SRCS:lib/man/%=$(BUILD)/man/%)
LIB_MAN_LINKS := lgalloc_prefetch_async.3:lgalloc_prefetch.3 \
	lgalloc_prefetch_submit.3:lgalloc_prefetch.3 \
	lgalloc_prefetch_wait.3:lgalloc_prefetch.3 \
	lgalloc_config_init.3:lgalloc_configure.3
MAN_PAGES += $(LIB_MAN)
MAN_LINKS += $(LIB_MAN_LINKS)
$(foreach p,$(LIB_MAN_SRCS),$(eval $(BUILD)/man/$(notdir $(p)): $(p)))

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
	$(call install_man_links,$(LIB_MAN_LINKS))

uninstall: uninstall-lib
uninstall-lib:
	$(call uninstall_files,$(INCLUDEDIR),$(LIB_HEADERS))
	$(call uninstall_files,$(INCLUDEDIR)/lgalloc,$(LIB_SUBHEADERS))
	[ ! -d $(DESTDIR)$(INCLUDEDIR)/lgalloc ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$(INCLUDEDIR)/lgalloc
	$(call uninstall_files,$(LIBDIR),$(LIB_A) $(LIB_SO) $(LIB_SO_LINKS))
	rm -f $(DESTDIR)$(LIBDIR)/pkgconfig/lgalloc.pc
	$(call uninstall_man,$(LIB_MAN))
	$(call uninstall_man,$(foreach l,$(LIB_MAN_LINKS),$(firstword $(subst :, ,$(l)))))
