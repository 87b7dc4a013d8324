# kith: build, test, demo, install.
#
#   make                 kithd and kith in build/
#   make SAN=1           the same with AddressSanitizer + UBSan, in build-san/
#   make check           all tests (normal build, then the sanitizer build)
#   make demo            a private Dovecot with the demo mailbox, kithd over TLS
#   make install         PREFIX=/usr/local DESTDIR=
#   make bench | eval | fuzz

PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR    = $(PREFIX)/bin
SBINDIR   = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man
DOCDIR    = $(PREFIX)/share/doc/kith
UNITDIR   = $(PREFIX)/lib/systemd/user
COMPDIR   = $(PREFIX)/share/bash-completion/completions
LIBEXECDIR = $(PREFIX)/libexec/kith

CC       ?= cc
PKGS      = libical libconfig sqlite3 gnutls
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) libetpan)
# libetpan's .pc leaks a no-PIE link spec on Debian: link it by name.
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -letpan

WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wvla -Wno-unused-parameter
HARDEN    = -fPIE -fstack-protector-strong -D_FORTIFY_SOURCE=2
# Code names another room's header by its path ("../store/store.h"); only
# lib/ is on the include path.  Tests and tools may use any room.
CFLAGS_BASE = -std=c11 -D_GNU_SOURCE -g $(WARN) $(PKG_CFLAGS) -Ilib
TEST_INC    = -Iconfig -Istore -Ianalysis -Iutil -Isource -Itasks -Idaemon
# --as-needed: a binary depends only on the libraries it uses (kithd does
# not load libical: its task writer kithd-tasks does).
LDFLAGS_BASE = -pie -Wl,-z,relro,-z,now -Wl,--as-needed

ifeq ($(SAN),1)
B        ?= build-san
CFLAGS    = $(CFLAGS_BASE) -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
            -fno-sanitize-recover=undefined -fPIE
LDFLAGS   = $(LDFLAGS_BASE) -fsanitize=address,undefined
else
B        ?= build
CFLAGS    = $(CFLAGS_BASE) -O2 $(HARDEN)
LDFLAGS   = $(LDFLAGS_BASE)
endif

# The rooms (docs/architecture.md): lib/ the pure core; config/, store/,
# analysis/ and util/ shared by kithd and kith; source/ (IMAP), tasks/
# (the task writer) and daemon/ are kithd's only.
LIB_SRC    := $(sort $(wildcard lib/*.c))
SHARED_SRC := $(sort $(wildcard config/*.c store/*.c analysis/*.c util/*.c))
DAEMON_SRC := $(filter-out daemon/main.c tasks/tasks_main.c,\
                $(sort $(wildcard source/*.c tasks/*.c daemon/*.c)))
CLI_SRC    := $(sort $(wildcard cli/*.c))
TEST_SRC   := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC   := $(sort $(wildcard tests/tools/*.c))

LIB_OBJ    := $(LIB_SRC:%.c=$(B)/%.o)
SHARED_OBJ := $(SHARED_SRC:%.c=$(B)/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(B)/%.o)
CLI_OBJ    := $(CLI_SRC:%.c=$(B)/%.o)
TESTS      := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)
TOOLS      := $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%)

.PHONY: all check check-fast check-san demo install uninstall clean bench eval fuzz tests

all: $(B)/kithd $(B)/kithd-tasks $(B)/kith

tests: all $(TESTS) $(TOOLS)

$(B)/libkith.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	ar rcs $@ $^

$(B)/libkithshared.a: $(SHARED_OBJ)
	@mkdir -p $(@D)
	ar rcs $@ $^

$(B)/libkithd.a: $(DAEMON_OBJ)
	@mkdir -p $(@D)
	ar rcs $@ $^

KITHD_LIBS := $(B)/libkithd.a $(B)/libkithshared.a $(B)/libkith.a

$(B)/kithd: $(B)/daemon/main.o $(KITHD_LIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(B)/kithd-tasks: $(B)/tasks/tasks_main.o $(KITHD_LIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# The CLI links the shared rooms only: a call into kithd's code fails here.
$(B)/kith: $(CLI_OBJ) $(B)/libkithshared.a $(B)/libkith.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(B)/tests/%: tests/unit/%.c tests/unit/t.h $(KITHD_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TEST_INC) -Itests/unit $(LDFLAGS) -o $@ $< $(KITHD_LIBS) $(PKG_LIBS) -lm

# The CLI's renderers (not its main) for the unit tests that test them.
$(B)/libkithcli.a: $(filter-out $(B)/cli/main.o,$(CLI_OBJ))
	@mkdir -p $(@D)
	ar rcs $@ $^

$(B)/tests/test_report: tests/unit/test_report.c tests/unit/t.h $(B)/libkithcli.a $(B)/libkithshared.a $(B)/libkith.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TEST_INC) -Itests/unit -Icli $(LDFLAGS) -o $@ $< $(B)/libkithcli.a $(B)/libkithshared.a $(B)/libkith.a $(PKG_LIBS) -lm

$(B)/tools/%: tests/tools/%.c $(wildcard tests/tools/*.h) $(KITHD_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TEST_INC) $(LDFLAGS) -o $@ $< $(KITHD_LIBS) $(PKG_LIBS) -lm

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(LIB_OBJ:.o=.d) $(SHARED_OBJ:.o=.d) $(DAEMON_OBJ:.o=.d) $(CLI_OBJ:.o=.d) \
	$(B)/daemon/main.d $(B)/tasks/tasks_main.d

# Fast tier: unit tests and integration tests on the normal build.
check-fast: tests
	tests/run.sh --build $(B)

# Sanitizer tier: the same suite on the ASan+UBSan build.
check-san:
	$(MAKE) SAN=1 tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run.sh --build build-san --sanitizer

# One tier after the other (never in parallel, even under make -j): they
# share ports, CPU and the terminal, and each ends with its own summary.
check:
	$(MAKE) check-fast
	$(MAKE) check-san

demo: all
	demo/run.sh $(B)

bench: all
	bench/run.sh $(B)

eval: all
	tests/eval/run.sh $(B)

fuzz:
	tests/fuzz/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(COMPDIR)
	install -m 0755 $(B)/kithd $(B)/kith $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(B)/kithd-tasks $(DESTDIR)$(LIBEXECDIR)/
	install -m 0644 docs/kith.1 $(DESTDIR)$(MANDIR)/man1/kith.1
	install -m 0644 docs/kith.conf.5 $(DESTDIR)$(MANDIR)/man5/kith.conf.5
	install -m 0644 docs/kithd.8 $(DESTDIR)$(MANDIR)/man8/kithd.8
	sed 's|@BINDIR@|$(BINDIR)|g' systemd/kithd.service > $(DESTDIR)$(UNITDIR)/kithd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/kithd.service
	install -m 0644 conf/kith.conf.example $(DESTDIR)$(DOCDIR)/kith.conf.example
	install -m 0644 cli/kith.bash-completion $(DESTDIR)$(COMPDIR)/kith

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kithd $(DESTDIR)$(BINDIR)/kith $(DESTDIR)$(LIBEXECDIR)/kithd-tasks \
		$(DESTDIR)$(MANDIR)/man1/kith.1 $(DESTDIR)$(MANDIR)/man5/kith.conf.5 \
		$(DESTDIR)$(MANDIR)/man8/kithd.8 $(DESTDIR)$(UNITDIR)/kithd.service \
		$(DESTDIR)$(DOCDIR)/kith.conf.example $(DESTDIR)$(COMPDIR)/kith
	-rmdir $(DESTDIR)$(DOCDIR) $(DESTDIR)$(LIBEXECDIR)

clean:
	rm -rf build build-san
