// Package internal makes the C runtime's private headers an input of Go's
// build cache, as package include does for the public ones: every area of
// the runtime imports it, so a changed header here recompiles them all
// (the go command hashes only the files in a package's own folder).
package internal

import "embed"

// Headers holds the runtime's private headers.
//
//go:embed *.h
var Headers embed.FS
