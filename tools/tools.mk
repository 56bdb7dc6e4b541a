# SPDX-License-Identifier: MIT
# Small command-line tools: lgrun, the memory-limit runner.  (lgtrace is
# built by bpf/bpf.mk.)  Each tool links the helper objects it lists.

LGRUN := $(BUILD)/tools/lgrun
LGRUN_SRCS := tools/lgrun.c tools/cgroup.c tools/swapfile.c tools/size_parse.c
LGRUN_OBJS := $(LGRUN_SRCS:%.c=$(BUILD)/%.o)
TOOLS := $(LGRUN)
TOOLS_MAN1 := tools/lgrun.1

all: tools
.PHONY: tools install-tools
tools: $(TOOLS)

$(BUILD)/tools/%.o: tools/%.c $(wildcard tools/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -c $< -o $@

$(LGRUN): $(LGRUN_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ $(ALL_LDFLAGS)

install: install-tools
install-tools: tools
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(TOOLS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(TOOLS_MAN1) $(DESTDIR)$(MANDIR)/man1/

uninstall: uninstall-tools
.PHONY: uninstall-tools
uninstall-tools:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOLS))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(TOOLS_MAN1)))

INTEGRATION_TESTS += tests/lgrun_test.sh
INTEGRATION_DEPS += $(LGRUN)
