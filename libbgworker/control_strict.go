package libbgworker

// This file holds two rules of the control protocol that keep a request
// from meaning something other than what a reader of it sees, and a reply
// from growing with what a client sent: a request may not repeat a key
// (encoding/json would let the last one win, so that
// {"op":"status",...,"op":"stop"} stops the host), and an error reply
// echoes at most a short prefix of any string the client sent. Pure
// functions; the control socket's goroutines and FuzzControlRequest call
// them.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// maxEcho bounds a client's string quoted back in an error reply, in
// bytes; the names a request may carry are shorter than 96 bytes, so a
// longer one is wrong anyway and its start identifies it.
const maxEcho = 64

// maxErrorReply bounds a whole error reply text: whatever a message
// quotes, the reply stays one short line.
const maxErrorReply = 512

// clipEcho returns s cut to maxEcho bytes at a character boundary, with
// "..." appended when something was cut.
func clipEcho(s string) string {
	return clipTo(s, maxEcho)
}

// clipReply cuts an error reply text to maxErrorReply bytes.
func clipReply(s string) string {
	return clipTo(s, maxErrorReply)
}

func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// checkDuplicateKeys refuses a JSON text in which an object, at any depth,
// names one key twice. It reports only duplicates: a text that is not
// JSON is left to the decoder, whose error is the better one.
func checkDuplicateKeys(line []byte) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	// One set of keys per open object; nil for an open array.
	var stack []map[string]bool
	expectKey := func() bool {
		return len(stack) > 0 && stack[len(stack)-1] != nil
	}
	// In an object, tokens alternate key, value; a value that is an
	// object or array is its whole nesting.
	var afterKey []bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return nil // malformed: the decoder reports it
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				if len(afterKey) > 0 {
					afterKey[len(afterKey)-1] = false
				}
				stack = append(stack, map[string]bool{})
				afterKey = append(afterKey, false)
			case '[':
				if len(afterKey) > 0 {
					afterKey[len(afterKey)-1] = false
				}
				stack = append(stack, nil)
				afterKey = append(afterKey, false)
			case '}', ']':
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
					afterKey = afterKey[:len(afterKey)-1]
				}
			}
		case string:
			if expectKey() && !afterKey[len(afterKey)-1] {
				keys := stack[len(stack)-1]
				if keys[t] {
					return fmt.Errorf("malformed request: key \"%s\" appears more than once", clipEcho(t))
				}
				keys[t] = true
				afterKey[len(afterKey)-1] = true
				continue
			}
			if len(afterKey) > 0 {
				afterKey[len(afterKey)-1] = false
			}
		default:
			if len(afterKey) > 0 {
				afterKey[len(afterKey)-1] = false
			}
		}
	}
}
