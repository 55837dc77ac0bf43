# pgxs.mk: bgworker's extension build infrastructure, for Makefiles written
# for PostgreSQL's PGXS.  An extension's Makefile includes it as it would
# PostgreSQL's:
#
#   MODULE_big = myext          # or MODULES = a b (one .c each)
#   OBJS = myext.o util.o
#   EXTENSION = myext
#   DATA = myext--1.0.sql
#   PG_CONFIG = pg_config
#   PGXS := $(shell $(PG_CONFIG) --pgxs)
#   include $(PGXS)
#
# and is built with `make PG_CONFIG=/path/to/bgworker-config` (then
# `make PG_CONFIG=... install`, which honours DESTDIR).  Every directory and
# flag comes from $(PG_CONFIG), with pg_config's meanings.
#
# Variables read, with PGXS's meanings: MODULES, MODULE_big, OBJS, PROGRAM,
# EXTENSION, MODULEDIR, DATA, DATA_built, DOCS, SCRIPTS, SCRIPTS_built,
# HEADERS, HEADERS_built, EXTRA_CLEAN, NO_INSTALL, PG_CPPFLAGS, PG_CFLAGS,
# PG_LDFLAGS, PG_LIBS, SHLIB_LINK, REGRESS.
#
# What differs from PostgreSQL's PGXS: a module is never linked against
# the host (it resolves the API in the process that loads it); there is no
# bitcode for a JIT; REGRESS tests need pg_regress and a PostgreSQL server,
# so `make installcheck` refuses them with a message instead of running
# them (call the extension's functions with `bgworker call`).

ifeq ($(strip $(PG_CONFIG)),)
$(error PG_CONFIG is not set; build with make PG_CONFIG=/path/to/bgworker-config)
endif

# The answers of $(PG_CONFIG), asked once each.
bindir            := $(shell $(PG_CONFIG) --bindir)
pkglibdir         := $(shell $(PG_CONFIG) --pkglibdir)
sharedir          := $(shell $(PG_CONFIG) --sharedir)
docdir            := $(shell $(PG_CONFIG) --docdir)
includedir_server := $(shell $(PG_CONFIG) --includedir-server)
ifeq ($(strip $(pkglibdir)),)
$(error $(PG_CONFIG) --pkglibdir gave no answer; is PG_CONFIG a pg_config-compatible program?)
endif

# Compiler and flags: the ones $(PG_CONFIG) reports unless given on the
# command line or in the environment; PG_* are the extension's own.
ifeq ($(origin CC),default)
CC := $(shell $(PG_CONFIG) --cc)
endif
CFLAGS     ?= $(shell $(PG_CONFIG) --cflags)
CFLAGS_SL  ?= $(shell $(PG_CONFIG) --cflags_sl)
LDFLAGS_SL ?= $(shell $(PG_CONFIG) --ldflags_sl)
LDFLAGS_EX ?= $(shell $(PG_CONFIG) --ldflags_ex)
srcdir     ?= .
override CPPFLAGS := -I. -I$(srcdir) $(PG_CPPFLAGS) $(shell $(PG_CONFIG) --cppflags) $(CPPFLAGS)
override CFLAGS   := $(CFLAGS) $(CFLAGS_SL) $(PG_CFLAGS)

# Where data and docs go: MODULEDIR, or "extension" for an extension and
# "contrib" otherwise, as PGXS does.
ifdef MODULEDIR
datamoduledir := $(MODULEDIR)
docmoduledir  := $(MODULEDIR)
else ifdef EXTENSION
datamoduledir := extension
docmoduledir  := extension
else
datamoduledir := contrib
docmoduledir  := contrib
endif

pgxs_modules := $(addsuffix .so,$(MODULES))
ifdef MODULE_big
pgxs_modules += $(MODULE_big).so
endif
pgxs_headers_dir := $(includedir_server)/extension/$(or $(MODULE_big),$(firstword $(MODULES)),$(EXTENSION))

.PHONY: all install uninstall clean distclean maintainer-clean installcheck check
.DEFAULT_GOAL := all

all: $(pgxs_modules) $(PROGRAM) $(DATA_built) $(SCRIPTS_built) $(HEADERS_built)

%.o: %.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# One module per source file (MODULES).
%.so: %.o
	$(CC) $(CFLAGS) $(PG_LDFLAGS) $(LDFLAGS_SL) -shared -o $@ $< $(SHLIB_LINK)

# One module from several objects (MODULE_big with OBJS).
ifdef MODULE_big
$(MODULE_big).so: $(OBJS)
	$(CC) $(CFLAGS) $(PG_LDFLAGS) $(LDFLAGS_SL) -shared -o $@ $(OBJS) $(SHLIB_LINK)
endif

ifdef PROGRAM
$(PROGRAM): $(OBJS)
	$(CC) $(CFLAGS) $(OBJS) $(PG_LDFLAGS) $(LDFLAGS_EX) $(PG_LIBS) -o $@
endif

# Old-style scripts name their library MODULE_PATHNAME.
%.sql: %.sql.in
	sed 's,MODULE_PATHNAME,$$libdir/$*,g' $< > $@

ifndef NO_INSTALL
install: all
ifdef EXTENSION
	install -d '$(DESTDIR)$(sharedir)/extension'
	install -m 644 $(addprefix $(srcdir)/,$(addsuffix .control,$(EXTENSION))) '$(DESTDIR)$(sharedir)/extension/'
endif
ifneq ($(strip $(DATA)$(DATA_built)),)
	install -d '$(DESTDIR)$(sharedir)/$(datamoduledir)'
	install -m 644 $(addprefix $(srcdir)/,$(DATA)) $(DATA_built) '$(DESTDIR)$(sharedir)/$(datamoduledir)/'
endif
ifneq ($(strip $(pgxs_modules)),)
	install -d '$(DESTDIR)$(pkglibdir)'
	install -m 755 $(pgxs_modules) '$(DESTDIR)$(pkglibdir)/'
endif
ifneq ($(strip $(DOCS)),)
	install -d '$(DESTDIR)$(docdir)/$(docmoduledir)'
	install -m 644 $(addprefix $(srcdir)/,$(DOCS)) '$(DESTDIR)$(docdir)/$(docmoduledir)/'
endif
ifneq ($(strip $(PROGRAM)$(SCRIPTS)$(SCRIPTS_built)),)
	install -d '$(DESTDIR)$(bindir)'
	install -m 755 $(PROGRAM) $(addprefix $(srcdir)/,$(SCRIPTS)) $(SCRIPTS_built) '$(DESTDIR)$(bindir)/'
endif
ifneq ($(strip $(HEADERS)$(HEADERS_built)),)
	install -d '$(DESTDIR)$(pgxs_headers_dir)'
	install -m 644 $(addprefix $(srcdir)/,$(HEADERS)) $(HEADERS_built) '$(DESTDIR)$(pgxs_headers_dir)/'
endif

uninstall:
	rm -f $(addprefix '$(DESTDIR)$(sharedir)/extension'/,$(addsuffix .control,$(EXTENSION))) \
		$(addprefix '$(DESTDIR)$(sharedir)/$(datamoduledir)'/,$(notdir $(DATA) $(DATA_built))) \
		$(addprefix '$(DESTDIR)$(pkglibdir)'/,$(pgxs_modules)) \
		$(addprefix '$(DESTDIR)$(docdir)/$(docmoduledir)'/,$(notdir $(DOCS))) \
		$(addprefix '$(DESTDIR)$(bindir)'/,$(PROGRAM) $(notdir $(SCRIPTS) $(SCRIPTS_built))) \
		$(addprefix '$(DESTDIR)$(pgxs_headers_dir)'/,$(notdir $(HEADERS) $(HEADERS_built)))
else
install uninstall:
	@echo "NO_INSTALL is set: nothing to $@"
endif

clean:
	rm -f $(pgxs_modules) $(addsuffix .o,$(MODULES)) $(OBJS) $(PROGRAM) \
		$(DATA_built) $(SCRIPTS_built) $(HEADERS_built) $(EXTRA_CLEAN)

distclean maintainer-clean: clean

installcheck check:
ifneq ($(strip $(REGRESS)),)
	@echo "pgxs.mk: the REGRESS tests ($(REGRESS)) need pg_regress and a PostgreSQL server;" >&2
	@echo "pgxs.mk: bgworker does not run them. Call the extension's functions with bgworker call." >&2
	@exit 1
endif
