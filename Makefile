# SPDX-License-Identifier: MIT
# lgalloc: top-level build.  Non-recursive: each directory contributes a
# fragment (lib/lib.mk, tests/tests.mk, ...) that adds its targets.
#
#   make                 build the library, tools, benchmarks and BPF objects
#   make test            unit, integration and sanitizer suites (root for the
#                        kernel tests; they SKIP with a reason otherwise)
#   make bench           install missing packages, build, run the benchmarks
#   make deps            install the Debian packages the build needs
#   make vmtest          the kernel tests on Debian 12's 6.1 kernel in a VM
#                        (KERNEL=... for another; scripts/vmtest/vmtest.mk)
#   make install PREFIX=/usr/local DESTDIR=   (make uninstall: the same files)
#   make deb             install missing packages, build the Debian packages
#                        into build/deb/, lintian them (scripts/deb.sh) and
#                        check them (tests/lib/deb_test.sh, also in make test)
#   make SAN=asan|tsan   a sanitizer build in build-asan/ or build-tsan/

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
AR ?= ar
SAN ?=
# The build directory of a sanitizer ($(1): asan, tsan; none: the normal build).
build_dir = build$(if $(1),-$(1))
BUILD ?= $(call build_dir,$(SAN))

WARNINGS := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
BASE_CFLAGS := -std=gnu11 $(WARNINGS) -D_GNU_SOURCE -pthread -fno-strict-aliasing
SAN_FLAGS_asan := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_FLAGS_tsan := -fsanitize=thread -fno-omit-frame-pointer
SAN_FLAGS := $(SAN_FLAGS_$(SAN))
ALL_CFLAGS = $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS)
ALL_LDFLAGS = -pthread $(LDFLAGS) $(SAN_FLAGS)

Q := $(if $(V),,@)
msg = $(if $(V),,@printf '  %-8s %s\n' '$(1)' '$(2)';)

.PHONY: all clean install uninstall test bench deps format format-check
all:

# The one version, read from the public header (LGALLOC_VERSION_*).
LG_VERSION_PART = $(shell sed -n 's/^\#define LGALLOC_VERSION_$(1)  *\([0-9][0-9]*\).*/\1/p' lib/include/lgalloc.h)
LG_VERSION := $(call LG_VERSION_PART,MAJOR).$(call LG_VERSION_PART,MINOR).$(call LG_VERSION_PART,PATCH)
LG_SOVERSION := $(call LG_VERSION_PART,MAJOR)

# Man pages are installed from $(BUILD)/man, with @VERSION@ filled in; each
# fragment adds its pages to MAN_PAGES and names their source.
MAN_PAGES :=
MAN_LINKS :=
$(BUILD)/man/%: lib/include/lgalloc.h
	$(Q)mkdir -p $(@D) && sed 's/@VERSION@/$(LG_VERSION)/g' $(filter-out lib/include/lgalloc.h,$^) > $@

# Install helpers for the fragments' install-* and uninstall-* rules, which
# pass the same list to both so that uninstall removes exactly what install
# put there.  Directories are left in place (they may be shared), as
# automake's uninstall does.
#   $(call install_files,MODE,DIR,FILES)  FILES into $(DESTDIR)DIR
#   $(call uninstall_files,DIR,FILES)     their names out of it
#   $(call install_man,PAGES)             into man<section>/, from the suffix
#   $(call uninstall_man,PAGES)
#   $(call install_man_links,NAME:PAGE ...)  NAME a symlink to PAGE, in PAGE's
#                                         man<section>/ (uninstall_man NAMEs)
install_files = install -d $(DESTDIR)$(2) && install -m $(1) $(3) $(DESTDIR)$(2)/
uninstall_files = rm -f $(addprefix $(DESTDIR)$(1)/,$(notdir $(2)))
man_dir = $(MANDIR)/man$(patsubst .%,%,$(suffix $(1)))
install_man = $(foreach p,$(1),$(call install_files,644,$(call man_dir,$(p)),$(p)) &&) true
uninstall_man = rm -f $(foreach p,$(1),$(DESTDIR)$(call man_dir,$(p))/$(notdir $(p)))
install_man_links = $(foreach l,$(1),ln -sf $(lastword $(subst :, ,$(l))) \
	$(DESTDIR)$(call man_dir,$(lastword $(subst :, ,$(l))))/$(firstword $(subst :, ,$(l))) &&) true

include lib/lib.mk
include bpf/bpf.mk
include common/common.mk
include preload/preload.mk
include tools/tools.mk
include bench/bench.mk
# Last: its build-tests and test-integration rules expand INTEGRATION_DEPS
# when they are read.
include tests/tests.mk
include scripts/vmtest/vmtest.mk

.PHONY: man
all: man
man: $(MAN_PAGES)

.PHONY: print-version
print-version:
	@echo $(LG_VERSION)

# The man page links, NAME:PAGE, one a line (tests/docs/man_test.sh).
.PHONY: print-man-links
print-man-links:
	@printf '%s\n' $(MAN_LINKS)

deps:
	$(Q)./scripts/install-deps.sh

.PHONY: deb
deb:
	$(Q)./scripts/install-deps.sh
	$(Q)BUILD=$(BUILD) tests/run.sh "Debian packages" tests/lib/deb_test.sh

format:
	$(Q)clang-format -i $$(git ls-files '*.c' '*.h' | grep -v '^vmlinux/')

format-check:
	$(Q)clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h' | grep -v '^vmlinux/')

clean:
	$(Q)rm -rf $(call build_dir) $(call build_dir,asan) $(call build_dir,tsan)

$(BUILD)/%/.dir:
	$(Q)mkdir -p $(@D) && touch $@

.SECONDARY:
