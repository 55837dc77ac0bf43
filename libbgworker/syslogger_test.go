package libbgworker

// Unit tests of the logging collector's pure parts: the chunk parser,
// file names and the rotation schedule.

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bgworker/bgworker/cshim"
)

// chunks encodes one record as elog.c does.
func chunks(pid uint32, dest int, data []byte) []byte {
	var out []byte
	for {
		n := min(len(data), logChunkMax-logChunkHdr)
		flags := byte(dest)
		if n == len(data) {
			flags |= logChunkLast
		}
		out = append(out, 0, 0, byte(n), byte(n>>8), byte(pid), byte(pid>>8), byte(pid>>16), byte(pid>>24), flags)
		out = append(out, data[:n]...)
		data = data[n:]
		if len(data) == 0 {
			return out
		}
	}
}

func TestLogParserReassemblesAtAnySplit(t *testing.T) {
	long := bytes.Repeat([]byte("y"), 10000)
	var stream []byte
	// Two processes' chunks interleaved, text a module printed between.
	a := chunks(7, cshim.LogDestinationCSVLog, append([]byte("csv<"), long...))
	b := chunks(9, cshim.LogDestinationStderr, []byte("LOG:  short\n"))
	stream = append(stream, a[:logChunkMax]...)
	stream = append(stream, b...)
	stream = append(stream, []byte("printf text\n")...)
	stream = append(stream, a[logChunkMax:]...)
	stream = append(stream, chunks(9, cshim.LogDestinationJSONLog, []byte("{}\n"))...)

	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		rng := rand.New(rand.NewPCG(seed, 0))
		p := logParser{partial: map[uint32]*logRecord{}}
		got := map[int][]byte{}
		emit := func(dest int, data []byte) { got[dest] = append(got[dest], data...) }
		for rest := stream; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(700))
			p.feed(rest[:n], emit)
			rest = rest[n:]
		}
		p.flush(emit)
		require.Equal(t, append([]byte("csv<"), long...), got[cshim.LogDestinationCSVLog])
		require.Equal(t, "LOG:  short\nprintf text\n", string(got[cshim.LogDestinationStderr]))
		require.Equal(t, "{}\n", string(got[cshim.LogDestinationJSONLog]))
	}
}

func TestLogParserTextWithZeroBytes(t *testing.T) {
	p := logParser{partial: map[uint32]*logRecord{}}
	var got []byte
	emit := func(dest int, data []byte) {
		require.Equal(t, cshim.LogDestinationStderr, dest)
		got = append(got, data...)
	}
	// A zero byte that starts no valid chunk header is text.
	p.feed([]byte("a\x00b\x00\x00\xff\xff\x00\x00\x00\x00\x01tail"), emit)
	p.flush(emit)
	require.Equal(t, "a\x00b\x00\x00\xff\xff\x00\x00\x00\x00\x01tail", string(got))
}

func TestLogFileNames(t *testing.T) {
	at := time.Date(2026, 12, 7, 5, 4, 3, 0, time.UTC)
	require.Equal(t, "bgworker-2026-12-07_050403.log", logFileName("bgworker-%Y-%m-%d_%H%M%S.log", cshim.LogDestinationStderr, at))
	require.Equal(t, "bgworker-2026-12-07_050403.csv", logFileName("bgworker-%Y-%m-%d_%H%M%S.log", cshim.LogDestinationCSVLog, at))
	require.Equal(t, "x-341-Mon.json", logFileName("x-%j-%a", cshim.LogDestinationJSONLog, at))
	require.Equal(t, "100%-%q", strftime("100%%-%q", at))
}

func TestNextRotation(t *testing.T) {
	loc := time.FixedZone("X", 3600)
	now := time.Date(2026, 12, 7, 10, 17, 30, 0, loc)
	require.True(t, nextRotation(0, now).IsZero())
	require.Equal(t, time.Date(2026, 12, 7, 11, 0, 0, 0, loc).Unix(), nextRotation(time.Hour, now).Unix())
	// A day rotates at local midnight.
	require.Equal(t, time.Date(2026, 12, 8, 0, 0, 0, 0, loc).Unix(), nextRotation(24*time.Hour, now).Unix())
}
