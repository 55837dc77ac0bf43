// pmsignal.go: the supervisor's side of child-to-host signals
// (SendPostmasterSignal in a worker raises a flag in shared memory and sends
// SIGUSR1; the supervisor tests and clears the flags here).

package cshim

/*
#include "postgres.h"
#include "storage/pmsignal.h"
#include "latch_int.h"
*/
import "C"

// PMSignalReason is PostgreSQL's PMSignalReason.
type PMSignalReason int

// The reasons a child can signal the host with (PostgreSQL 17's values).
const (
	PMSignalRecoveryStarted        PMSignalReason = C.PMSIGNAL_RECOVERY_STARTED
	PMSignalBeginHotStandby        PMSignalReason = C.PMSIGNAL_BEGIN_HOT_STANDBY
	PMSignalBackgroundWorkerChange PMSignalReason = C.PMSIGNAL_BACKGROUND_WORKER_CHANGE
	PMSignalAdvanceStateMachine    PMSignalReason = C.PMSIGNAL_ADVANCE_STATE_MACHINE
)

// CheckPostmasterSignal tests and clears the flag of reason in shared memory.
// False when the flag was not raised or there is no segment. Postmaster
// goroutine only.
func CheckPostmasterSignal(reason PMSignalReason) bool {
	return bool(C.CheckPostmasterSignal(C.PMSignalReason(reason)))
}

// PMSignalShmemSize is the number of bytes the "PMSignalState" struct needs
// in the segment; include it in the segment's size.
func PMSignalShmemSize() uintptr {
	return uintptr(C.bgw_pmsignal_shmem_size())
}

// PMSignalShmemInit reserves and clears "PMSignalState" in the current
// segment. Call after bgw_shmem_init, at start and after every crash.
func PMSignalShmemInit() {
	C.bgw_pmsignal_shmem_init()
}
