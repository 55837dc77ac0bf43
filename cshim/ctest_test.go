package cshim

// This file holds what the standalone C tests of the runtime share: they
// compile a test program in testdata/ together with some of the areas' .c
// files, outside cgo, with gcc.

// runtimeCFlags are the flags the areas' cgo packages compile with (see
// any area's doc.go), for gcc run from this directory.
var runtimeCFlags = []string{
	"-std=gnu11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror",
	"-Wno-unused-parameter", "-Wno-missing-field-initializers",
	"-fno-strict-aliasing", "-I../include", "-Iinternal",
}
