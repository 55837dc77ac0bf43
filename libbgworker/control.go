package libbgworker

// This file holds what the CLI does to a running host from another
// process: stop, reload, promote, through the lock file's pid and signals
// (as pg_ctl does). CLI process; no C.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// runningHost reads the lock file and checks that the host it names is
// alive.
func runningHost(dir string) (*LockInfo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	l, err := ReadLockFile(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no server running in data directory \"%s\" (no lock file \"%s\")",
			abs, filepath.Join(abs, LockFileName))
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("could not open file \"%s\": %s", pe.Path, errnoText(err))
		}
		return nil, err
	}
	if !l.Alive() {
		if state, _, err := procStat(l.Pid); err == nil && state != 'Z' && state != 'X' {
			// The pid was reused by an unrelated process (another start
			// time): the lock is stale all the same.
			return nil, fmt.Errorf("no server running in data directory \"%s\" (stale lock file: PID %d is now another process)", abs, l.Pid)
		}
		return nil, fmt.Errorf("no server running in data directory \"%s\" (stale lock file, PID %d is gone)", abs, l.Pid)
	}
	return l, nil
}

// Stop asks the host in dir to shut down in mode (smart, fast, immediate)
// and, with wait, waits until it has exited, up to timeout.
func Stop(dir, mode string, wait bool, timeout time.Duration) error {
	sig, ok := map[string]syscall.Signal{ModeSmart: syscall.SIGTERM, ModeFast: syscall.SIGINT,
		ModeImmediate: syscall.SIGQUIT}[mode]
	if !ok {
		return fmt.Errorf("invalid shutdown mode \"%s\": use smart, fast or immediate", mode)
	}
	l, err := runningHost(dir)
	if err != nil {
		return err
	}
	if err := syscall.Kill(l.Pid, sig); err != nil {
		return fmt.Errorf("could not send stop signal (PID: %d): %s", l.Pid, errnoText(err))
	}
	if !wait {
		return nil
	}
	deadline := time.Now().Add(timeout)
	for l.Alive() {
		if time.Now().After(deadline) {
			return fmt.Errorf("server (PID %d) does not shut down after %v", l.Pid, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// Reload sends SIGHUP to the host in dir.
func Reload(dir string) error {
	l, err := runningHost(dir)
	if err != nil {
		return err
	}
	if err := syscall.Kill(l.Pid, syscall.SIGHUP); err != nil {
		return fmt.Errorf("could not send reload signal (PID: %d): %s", l.Pid, errnoText(err))
	}
	return nil
}

// Promote ends standby mode of the host in dir: it writes DIR/promote and
// sends SIGUSR1, as pg_ctl promote does.
func Promote(dir string) error {
	l, err := runningHost(dir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(l.DataDir, StandbySignal)); err != nil {
		return fmt.Errorf("cannot promote server; server is not in standby mode")
	}
	path := filepath.Join(l.DataDir, PromoteSignal)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		return fmt.Errorf("could not create promote signal file \"%s\": %v", path, errnoText(err))
	}
	if err := syscall.Kill(l.Pid, syscall.SIGUSR1); err != nil {
		os.Remove(path)
		return fmt.Errorf("could not send promote signal (PID: %d): %s", l.Pid, errnoText(err))
	}
	return nil
}
