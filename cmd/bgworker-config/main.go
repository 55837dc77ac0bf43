// Command bgworker-config is bgworker's pg_config: it answers pg_config's
// questions (--pgxs, --includedir-server, --pkglibdir, --sharedir,
// --cppflags, --cflags, ...) with pg_config's meanings, so that an
// extension's Makefile written for PostgreSQL's PGXS builds and installs
// against bgworker with `make PG_CONFIG=bgworker-config`. It is the same
// code as `bgworker config`, without the host: a pure Go program that
// starts no runtime of ours.
//
// pgxs.mk, in this folder, is the makefile --pgxs names; `make install`
// puts it where pg_config's PGXS lies, under the module directory.
package main

import (
	"os"

	"github.com/bgworker/bgworker/libbgworker/buildinfo"
)

func main() {
	os.Exit(buildinfo.ConfigMain("bgworker-config", os.Args[1:], os.Stdout, os.Stderr))
}
