// Package adt is the C runtime's part of PostgreSQL's utils/adt: the
// varlena helpers (text_to_cstring, cstring_to_text, detoasting), SQL
// quoting (quote_identifier, quote_literal_cstr), parse_bool, names, and
// taking arrays apart and building them. Pure functions on memory: no
// database connection, any process.
//
// It is a Go package only so that cgo compiles its C files; it has no Go
// API. Package cshim imports it.
package adt

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -I${SRCDIR}/../internal -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
*/
import "C"

// The headers this package compiles against, as build inputs (see package
// include).
import (
	_ "github.com/bgworker/bgworker/cshim/internal"
	_ "github.com/bgworker/bgworker/include"
)
