# Makefile for bgworker: the host binary, libbgworker.so, the contrib
# modules and the embedder example.
#
#   make                      build everything (bin/, lib/, contrib/*/*.so,
#                             examples/embedder/embedder)
#   make run                  run the sample module in a throwaway data
#                             directory (Ctrl-C is a fast shutdown)
#   make test                 install missing tools, then gofmt, go vet,
#                             staticcheck and go test
#   make install PREFIX=/usr/local [DESTDIR=...]
#   make clean
#
# Go's build cache decides what to rebuild for the Go targets, so they are
# always run; make tracks only the C targets.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.SUFFIXES:

PREFIX  ?= /usr/local
DESTDIR ?=
VERSION ?= 0.1.0
GO      ?= go
CC      ?= cc

# Pinned so that a new release cannot break `make test`.
STATICCHECK_VERSION ?= v0.8.2
TOOLS_BIN := $(CURDIR)/.tools/bin
STATICCHECK := $(TOOLS_BIN)/staticcheck

GO_TEST_TIMEOUT ?= 15m
GO_TEST_FLAGS   ?=

GOTAGS    := netgo,osusergo
# The tests' own C hooks (cshim's *_testsupport files) are compiled only
# with bgworker_testhooks: the product never contains them.
TEST_GOTAGS := $(GOTAGS),bgworker_testhooks
BUILDINFO := github.com/bgworker/bgworker/libbgworker/buildinfo
GO_LDFLAGS := -X '$(BUILDINFO).prefix=$(PREFIX)' \
	-X '$(BUILDINFO).Version=$(VERSION)' \
	-X '$(BUILDINFO).cc=$(CC)' \
	-X '$(BUILDINFO).configure=PREFIX=$(PREFIX) VERSION=$(VERSION)'

# Modules are compiled exactly as a module author would, against include/
# only.  -Wno-unused-parameter: PostgreSQL-style callbacks ignore arguments.
WARNINGS := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
MODULE_CFLAGS := -std=gnu11 -shared -fPIC $(WARNINGS) -Iinclude
HEADERS := $(shell find include -name '*.h')

# One module per directory: contrib/NAME/*.c -> contrib/NAME/NAME.so, with
# a symlink lib/bgworker/NAME.so so that the build tree's $libdir finds it.
CONTRIB_NAMES   := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard contrib/*/*.c)))))
CONTRIB_MODULES := $(foreach m,$(CONTRIB_NAMES),contrib/$(m)/$(m).so)
PKGLIB_LINKS    := $(foreach m,$(CONTRIB_NAMES),lib/bgworker/$(m).so)

EMBEDDER := examples/embedder/embedder

# libbgworker.so's versions (the package's VERSION is separate): the major
# changes when the ABI breaks (a symbol removed or changed), the minor when
# it grows.  The SONAME carries the major; embedders link -lbgworker through
# the libbgworker.so link and then need libbgworker.so.$(SO_MAJOR).
SO_MAJOR := 0
SO_MINOR := 1
LIB_SONAME := libbgworker.so.$(SO_MAJOR)
LIB_FILE   := $(LIB_SONAME).$(SO_MINOR)

# Extension files of contrib modules (NAME.control, NAME--VERSION.sql),
# linked into share/extension/ so that the build tree's sharedir finds them.
CONTRIB_EXT_FILES := $(wildcard contrib/*/*.control contrib/*/*--*.sql)
SHARE_STAMP := $(if $(CONTRIB_EXT_FILES),share/extension/.links)

.PHONY: all run test tools check-format vet staticcheck gotest install clean distclean FORCE

all: bin/bgworker bin/bgworker-config lib/libbgworker.so $(CONTRIB_MODULES) $(PKGLIB_LINKS) $(SHARE_STAMP) $(EMBEDDER)

bin/bgworker: FORCE
	$(GO) build -tags $(GOTAGS) -ldflags "$(GO_LDFLAGS)" -o $@ ./cmd/bgworker

# pg_config's counterpart, for extension Makefiles written for PGXS.
bin/bgworker-config: FORCE
	$(GO) build -ldflags "$(GO_LDFLAGS)" -o $@ ./cmd/bgworker-config

# go build writes a C header next to the library too; we ship
# include/bgworker/host.h.  What the library exports is cshim/exports.so's
# business (it reaches the link through cshim's cgo flags).
lib/$(LIB_FILE): FORCE
	$(GO) build -buildmode=c-shared -tags $(GOTAGS) \
		-ldflags "$(GO_LDFLAGS) '-extldflags=-Wl,-soname,$(LIB_SONAME)'" \
		-o $@ ./libbgworker/capi
	rm -f lib/*.h

lib/$(LIB_SONAME): lib/$(LIB_FILE)
	ln -sfn $(LIB_FILE) $@

lib/libbgworker.so: lib/$(LIB_SONAME)
	ln -sfn $(LIB_SONAME) $@

.SECONDEXPANSION:
$(CONTRIB_MODULES): contrib/%.so: $$(wildcard $$(@D)/*.c) $(HEADERS)
	$(CC) $(MODULE_CFLAGS) -o $@ $(filter %.c,$^)

$(PKGLIB_LINKS): lib/bgworker/%.so: contrib/$$*/$$*.so
	@mkdir -p $(@D)
	ln -sfn ../../$< $@

$(SHARE_STAMP): $(CONTRIB_EXT_FILES)
	@mkdir -p $(@D)
	for f in $^; do ln -sfn "../../$$f" $(@D)/; done
	touch $@

$(EMBEDDER): $(EMBEDDER).c include/bgworker/host.h lib/libbgworker.so
	$(CC) -std=gnu11 $(WARNINGS) -Iinclude -o $@ $< \
		-Llib -lbgworker -Wl,-rpath,'$$ORIGIN/../../lib'

# A throwaway data directory with the sample module preloaded.  The shell
# waits for the host (SIGINT from Ctrl-C reaches both; the host does a fast
# shutdown), then the EXIT trap removes the directory.  The shell's INT
# trap does nothing but keep the shell alive until the host is done: the
# recipe then ends with the host's own status (0 after a fast shutdown),
# not the 130 make would report as an error.
run: all
	@dir=$$(mktemp -d -t bgworker-run.XXXXXX); \
	trap 'rm -rf "$$dir"' EXIT; \
	trap 'true' INT TERM; \
	bin/bgworker init -D "$$dir/data" >/dev/null; \
	{ \
		echo "shared_preload_libraries = 'worker_sample'"; \
		echo "dynamic_library_path = '$(CURDIR)/contrib/worker_sample:\$$libdir'"; \
	} >> "$$dir/data/bgworker.conf"; \
	allow_root=; if [ "$$(id -u)" = 0 ]; then allow_root=--allow-root; fi; \
	echo "make run: data directory $$dir/data; press Ctrl-C for a fast shutdown"; \
	bin/bgworker start -D "$$dir/data" $$allow_root

# Sequential on purpose: tools before the build, the build before the tests
# (the tests use bin/bgworker, lib/libbgworker.so and the contrib modules).
test:
	$(MAKE) --no-print-directory tools
	$(MAKE) --no-print-directory all
	$(MAKE) --no-print-directory check-format
	$(MAKE) --no-print-directory vet
	$(MAKE) --no-print-directory staticcheck
	$(MAKE) --no-print-directory gotest
	$(MAKE) --no-print-directory fuzz-short

tools:
	STATICCHECK_VERSION=$(STATICCHECK_VERSION) TOOLS_BIN=$(TOOLS_BIN) GO=$(GO) .ci/ensure-tools

check-format:
	@echo "gofmt -l"; \
	out=$$(find . \( -name .git -o -name .tools \) -prune -o -name '*.go' -print | xargs gofmt -l); \
	if [ -n "$$out" ]; then echo "these files need gofmt:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet -tags $(GOTAGS) ./...
	$(GO) vet -tags $(TEST_GOTAGS) ./...

staticcheck:
	$(STATICCHECK) -tags $(GOTAGS) ./...
	$(STATICCHECK) -tags $(TEST_GOTAGS),bgworker_faults ./...

gotest:
	$(GO) test -tags $(TEST_GOTAGS) -timeout $(GO_TEST_TIMEOUT) $(GO_TEST_FLAGS) ./...

# Installed layout (see libbgworker/buildinfo): headers server-style under
# include/bgworker, modules in lib/bgworker ($libdir), docs/ and README.md
# in share/doc/bgworker (`bgworker config --docdir`; README's links to docs/
# rewritten to point beside it).
INST_BIN     := $(DESTDIR)$(PREFIX)/bin
INST_LIB     := $(DESTDIR)$(PREFIX)/lib
INST_PKGLIB  := $(DESTDIR)$(PREFIX)/lib/bgworker
INST_INCLUDE := $(DESTDIR)$(PREFIX)/include/bgworker
INST_PC      := $(DESTDIR)$(PREFIX)/lib/pkgconfig
INST_SYSTEMD := $(DESTDIR)$(PREFIX)/lib/systemd/system
INST_PGXS    := $(INST_PKGLIB)/pgxs/src/makefiles
INST_SHARE   := $(DESTDIR)$(PREFIX)/share/bgworker
INST_DOC     := $(DESTDIR)$(PREFIX)/share/doc/bgworker
DOCS         := $(wildcard docs/*.md) docs/benchmarks.json

install: all
	install -d "$(INST_BIN)" "$(INST_LIB)" "$(INST_PKGLIB)" "$(INST_INCLUDE)" "$(INST_PC)" \
		"$(INST_PGXS)" "$(INST_SHARE)/extension" "$(INST_DOC)"
	install -m 755 bin/bgworker "$(INST_BIN)/bgworker"
	install -m 755 bin/bgworker-config "$(INST_BIN)/bgworker-config"
	install -m 644 cmd/bgworker-config/pgxs.mk "$(INST_PGXS)/pgxs.mk"
	$(if $(CONTRIB_EXT_FILES),install -m 644 $(CONTRIB_EXT_FILES) "$(INST_SHARE)/extension/")
	install -m 755 lib/$(LIB_FILE) "$(INST_LIB)/$(LIB_FILE)"
	ln -sfn $(LIB_FILE) "$(INST_LIB)/$(LIB_SONAME)"
	ln -sfn $(LIB_SONAME) "$(INST_LIB)/libbgworker.so"
	cd include && find . -name '*.h' | while read -r h; do \
		install -D -m 644 "$$h" "$(INST_INCLUDE)/$$h"; done
	$(if $(CONTRIB_MODULES),install -m 755 $(CONTRIB_MODULES) "$(INST_PKGLIB)/")
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' bgworker.pc.in > "$(INST_PC)/bgworker.pc"
	chmod 644 "$(INST_PC)/bgworker.pc"
	install -m 644 $(DOCS) "$(INST_DOC)/"
	sed -e 's|](docs/)|](.)|g' -e 's|](docs/|](|g' README.md > "$(INST_DOC)/README.md"
	chmod 644 "$(INST_DOC)/README.md"
	install -d "$(INST_SYSTEMD)"
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' contrib/systemd/bgworker.service.in > "$(INST_SYSTEMD)/bgworker.service"
	chmod 644 "$(INST_SYSTEMD)/bgworker.service"

clean:
	rm -rf bin lib share $(EMBEDDER)
	rm -f contrib/*/*.so

distclean: clean
	rm -rf .tools

FORCE:

# Benchmarks (bench/, docs/benchmarks.md): figures, never assertions.
#   make bench       bgworker's scenarios, printed as a table
#   make bench-pg    the same side by side with PostgreSQL 15 (installed
#                    when absent), written to docs/benchmarks.{md,json}
BENCH_FLAGS ?=
PG_PACKAGES := postgresql-15 postgresql-server-dev-15

.PHONY: bench bench-pg

bench: all
	$(GO) run -tags $(GOTAGS) ./bench/cmd/bgbench -bin bin/bgworker $(BENCH_FLAGS)

bench-pg: all
	@dpkg -s $(PG_PACKAGES) >/dev/null 2>&1 || { apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(PG_PACKAGES); }
	$(GO) run -tags $(GOTAGS) ./bench/cmd/bgbench -bin bin/bgworker -pg -docs docs $(BENCH_FLAGS)

# --- Reliability (docs/reliability.md) ----------------------------------
#   make reliability   long reliability runs (100 supervisor kills, the
#                      exit matrix, storms, a 60 s soak, 60 s per fuzz
#                      target), then regenerate docs/reliability.md
#   make soak          the storm (SOAK=3m by default): 200 crash-looping
#                      workers while the supervisor, fork server, spare and
#                      workers are SIGKILLed or SIGSTOPped at random; prints
#                      crash cycles, kills, orphans, leaked segments and the
#                      longest status answer (not part of make test)
#   make fuzz-short    a few seconds per fuzz target (part of make test)
RELIABILITY_DIR ?= .reliability
SOAK            ?= 3m
FUZZ_TIME       ?= 60s
# package:target
FUZZ_TARGETS    := cshim:FuzzConfigParse cshim:FuzzReadSlot libbgworker:FuzzControlRequest

.PHONY: reliability soak fuzz-short
reliability: all
	rm -rf $(RELIABILITY_DIR) && mkdir -p $(RELIABILITY_DIR)
	BGW_RELIABILITY_LONG=1 BGW_RELIABILITY_OUT=$(CURDIR)/$(RELIABILITY_DIR)/figures.jsonl \
		$(GO) test -tags $(TEST_GOTAGS) -count=1 -timeout 60m -run \
		'TestExitMatrixFull|TestDynamicExitMatrix|TestSupervisorKilledRepeatedly|TestSIGHUPStorm|TestForkFailurePersistent' ./tests
	BGW_SOAK=60s BGW_RELIABILITY_OUT=$(CURDIR)/$(RELIABILITY_DIR)/figures.jsonl \
		$(GO) test -tags $(TEST_GOTAGS) -count=1 -timeout 10m -run TestSoak ./tests
	for t in $(FUZZ_TARGETS); do f=$${t#*:}; \
		$(GO) test -tags $(TEST_GOTAGS) -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZ_TIME) ./$${t%%:*} \
			2>&1 | tee $(RELIABILITY_DIR)/fuzz-$$f.txt; done
	$(GO) run ./tests/reliability_report $(RELIABILITY_DIR) docs/reliability.md

soak: all
	BGW_STORM=$(SOAK) $(GO) test -tags $(TEST_GOTAGS) -count=1 -timeout 60m -v -run '^TestSoakStorm$$' ./tests

# fuzz-short budgets executions, not seconds (a few seconds each here):
# with a duration, go1.26's fuzz coordinator can report a spurious
# "context deadline exceeded" failure at the end (golang/go#75804).
# package:target:executions
FUZZ_SHORT := cshim:FuzzConfigParse:9000 cshim:FuzzReadSlot:15000 libbgworker:FuzzControlRequest:600
fuzz-short:
	for t in $(FUZZ_SHORT); do p=$${t%%:*}; r=$${t#*:}; f=$${r%%:*}; n=$${r#*:}; \
		$(GO) test -tags $(TEST_GOTAGS) -run '^$$' -fuzz "^$$f\$$" -fuzztime $${n}x ./$$p || exit 1; done
