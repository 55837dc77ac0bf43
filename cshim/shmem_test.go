// shmem_test.go tests the supervisor's Go view of the segment (shmem.go)
// on a real System V segment laid out by ShmemInit in this process.

package cshim

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// attachTestSegment creates, attaches and lays out a segment; it is marked
// for removal at once, so it goes away when the test detaches it.
func attachTestSegment(t *testing.T) []byte {
	t.Helper()
	size := ShmemSize()
	require.Positive(t, size)
	id, err := unix.SysvShmGet(unix.IPC_PRIVATE, size, unix.IPC_CREAT|unix.IPC_EXCL|0o600)
	require.NoError(t, err)
	seg, err := unix.SysvShmAttach(id, 0, 0)
	_, rmErr := unix.SysvShmCtl(id, unix.IPC_RMID, nil)
	require.NoError(t, err)
	require.NoError(t, rmErr)
	t.Cleanup(func() {
		ShmemForget()
		require.NoError(t, unix.SysvShmDetach(seg))
	})
	return seg
}

func TestShmemSegmentIsOurs(t *testing.T) {
	seg := attachTestSegment(t)
	require.False(t, ShmemSegmentIsOurs(seg), "a zeroed segment is not ours")

	ShmemInit(seg)
	require.True(t, ShmemSegmentIsOurs(seg))
	require.Equal(t, ShmemHeaderMagic, binary.NativeEndian.Uint32(seg[:4]))
	require.False(t, ShmemSegmentIsOurs(seg[:len(seg)-4096]), "size must match")
	require.False(t, ShmemSegmentIsOurs(seg[:ShmemHeaderSize-1]), "too short for a header")
	require.False(t, ShmemSegmentIsOurs(nil))

	seg[0] ^= 0xFF
	require.False(t, ShmemSegmentIsOurs(seg), "wrong magic")
	seg[0] ^= 0xFF
	require.True(t, ShmemSegmentIsOurs(seg))
}

func TestProcStatus(t *testing.T) {
	seg := attachTestSegment(t)
	ShmemInit(seg)

	activity, state, waitEvent, ok := ProcStatus(0)
	require.True(t, ok)
	require.Empty(t, activity)
	require.Equal(t, StateUndefined, state)
	require.Zero(t, waitEvent)
	require.False(t, ProcWasActive(0))

	for _, slot := range []int{-1, 1 << 20} {
		_, _, _, ok = ProcStatus(slot)
		require.False(t, ok, "slot %d", slot)
	}

	ShmemForget()
	_, _, _, ok = ProcStatus(0)
	require.False(t, ok, "no segment")
}

func TestWaitEventNames(t *testing.T) {
	cases := []struct {
		info       uint32
		typ, event string
	}{
		{0, "", ""},
		{0x07000000, "Extension", "Extension"},
		{0x08000002, "IPC", "BgWorkerStartup"},
		{0x08000001, "IPC", "BgWorkerShutdown"},
		{0x09000002, "Timeout", "PgSleep"},
		{0x01000000 | 21, "LWLock", "AddinShmemInit"},
		{0x07000000 | 99, "Extension", "unknown wait event"},
		{0x08000000 | 0xFFFF, "IPC", "unknown wait event"},
		{0x7F000001, "???", "unknown wait event"},
	}
	for _, c := range cases {
		require.Equal(t, c.typ, WaitEventType(c.info), "type of %#x", c.info)
		require.Equal(t, c.event, WaitEventName(c.info), "name of %#x", c.info)
	}
	require.Equal(t, "active", StateName(StateRunning))
	require.Equal(t, "idle", StateName(StateIdle))
	require.Empty(t, StateName(99))
}
