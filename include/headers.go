// Package include makes the public C headers an input of Go's build cache.
//
// The cgo packages of the runtime (cshim and its areas) compile against
// these headers, but the go command hashes only the files in a package's
// own folder, not headers it includes from elsewhere (golang/go#24355): a
// changed header would not recompile them. Each of those packages imports
// this one, whose compiled form holds the headers' bytes; a change to any
// header changes it, and so the build of every package that imports it.
// Modules never see this file: they compile against the headers only.
package include

import "embed"

// Headers holds every header of this tree.
//
//go:embed *.h */*.h
var Headers embed.FS
