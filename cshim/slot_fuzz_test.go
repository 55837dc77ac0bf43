package cshim

// FuzzReadSlot: the supervisor reads the worker slot array, which any
// worker can scribble on. Whatever bytes lie there, ReadSlot must neither
// crash nor hang, and what it returns for a slot in use must be bounded,
// printable ASCII (so that it is safe in logs and status output).

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func FuzzReadSlot(f *testing.F) {
	size := ShmemSize()
	id, err := unix.SysvShmGet(unix.IPC_PRIVATE, size, unix.IPC_CREAT|unix.IPC_EXCL|0o600)
	require.NoError(f, err)
	seg, err := unix.SysvShmAttach(id, 0, 0)
	unix.SysvShmCtl(id, unix.IPC_RMID, nil)
	require.NoError(f, err)
	f.Cleanup(func() {
		ShmemForget()
		unix.SysvShmDetach(seg)
	})
	ShmemInit(seg)
	require.Nil(f, InitWorkerSlots([]Worker{
		{Name: "a", Type: "a", Library: "lib", Function: "fn", Flags: 1, StartTime: 2, RestartTime: 1},
		{Name: "b", Library: "lib", Function: "fn", RestartTime: -1},
	}))
	arr := slotArrayBytes()
	require.NotEmpty(f, arr)
	pristine := append([]byte(nil), arr...)

	f.Add(uint32(0), []byte{0xff, 0xff, 0xff, 0x7f})
	f.Add(uint32(16), []byte("\x01\x00\x00\x00name with \n newline and \x1b[31m escape"))
	f.Add(uint32(64), make([]byte, 512))
	f.Add(uint32(200), []byte{1, 1, 1, 1, 0xc3, 0xa9, 0xe2, 0x80, 0xae})
	f.Fuzz(func(t *testing.T, offset uint32, data []byte) {
		copy(arr, pristine)
		off := int(offset % uint32(len(arr)))
		copy(arr[off:], data)
		n := SlotCount()
		for i := -1; i <= n; i++ {
			v, err := ReadSlot(i)
			if i < 0 || i >= n {
				require.Error(t, err)
				continue
			}
			if err != nil || !v.InUse {
				continue
			}
			w := v.Worker
			for _, s := range []string{w.Name, w.Type, w.Function, w.Library} {
				require.Less(t, len(s), 1024)
				for _, c := range []byte(s) {
					require.True(t, c >= 32 && c <= 126 || c == '\n' || c == '\r' || c == '\t', "byte %#x in %q", c, s)
				}
			}
			require.Less(t, len(w.Name), 96)
		}
	})
}
