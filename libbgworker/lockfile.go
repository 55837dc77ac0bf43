package libbgworker

// This file holds the lock file, DIR/bgworker.pid: written by the supervisor
// at start (O_EXCL, mode 0600), updated at each phase, removed at exit, and
// read by the CLI (stop, reload, promote) and by the next start to tell a
// live host from a stale lock. Supervisor or CLI process; no C.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// LockInfo is the content of bgworker.pid, one field a line in this order.
type LockInfo struct {
	Pid       int       // supervisor pid
	DataDir   string    // absolute data directory
	StartTime time.Time // when the supervisor started (second precision)
	ProcStart uint64    // the pid's start time in clock ticks (/proc/PID/stat field 22)
	ShmID     int       // System V segment id, -1 before it exists
	Socket    string    // control socket path ("" when there is none)
	Status    string    // starting, standby, ready, stopping
}

func (l *LockInfo) encode() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d\n%s\n%d\n%d\n%d\n%s\n%s\n", l.Pid, l.DataDir, l.StartTime.Unix(),
		l.ProcStart, l.ShmID, l.Socket, l.Status)
	return b.Bytes()
}

// ReadLockFile parses DIR/bgworker.pid. A missing file returns an error
// satisfying errors.Is(err, fs.ErrNotExist).
func ReadLockFile(dir string) (*LockInfo, error) {
	path := filepath.Join(dir, LockFileName)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseLockFile(path, data)
}

// parseLockFile parses the content of the lock file at path.
func parseLockFile(path string, data []byte) (*LockInfo, error) {
	lines := strings.Split(string(data), "\n")
	if len(lines) < 7 {
		return nil, fmt.Errorf("lock file \"%s\" is corrupt: %d lines", path, len(lines))
	}
	var l LockInfo
	var err error
	if l.Pid, err = strconv.Atoi(lines[0]); err != nil || l.Pid <= 0 {
		return nil, fmt.Errorf("lock file \"%s\" is corrupt: bad pid %q", path, lines[0])
	}
	l.DataDir = lines[1]
	secs, _ := strconv.ParseInt(lines[2], 10, 64)
	l.StartTime = time.Unix(secs, 0)
	l.ProcStart, _ = strconv.ParseUint(lines[3], 10, 64)
	if l.ShmID, err = strconv.Atoi(lines[4]); err != nil {
		l.ShmID = -1
	}
	l.Socket = lines[5]
	l.Status = lines[6]
	return &l, nil
}

// procStartTicks returns field 22 of /proc/PID/stat (start time in clock
// ticks since boot), which together with the pid names one process for
// good: a reused pid has another start time.
func procStartTicks(pid int) (uint64, error) {
	_, ticks, err := procStat(pid)
	return ticks, err
}

// procStat returns the state letter (field 3) and the start time (field
// 22) of /proc/PID/stat.
func procStat(pid int) (state byte, ticks uint64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, 0, errors.New("malformed stat")
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 20 || len(fields[0]) != 1 {
		return 0, 0, errors.New("malformed stat")
	}
	ticks, err = strconv.ParseUint(fields[19], 10, 64)
	return fields[0][0], ticks, err
}

// Alive reports whether the process the lock file names is still the one
// that wrote it. A zombie is not: a host killed by SIGKILL whose parent
// has not reaped it yet holds nothing any more (its descriptors, socket
// listener included, are closed), so `status` must say it is not running
// and the next start may take over.
func (l *LockInfo) Alive() bool {
	if err := syscall.Kill(l.Pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	state, ticks, err := procStat(l.Pid)
	if err != nil || state == 'Z' || state == 'X' {
		return false
	}
	return l.ProcStart == 0 || ticks == l.ProcStart
}

// lockFile is the supervisor's handle on its own lock file.
type lockFile struct {
	path string
	info LockInfo
	// dirty is set when an update could not be written (read-only file
	// system, a full disk): the periodic recheck writes it again.
	dirty bool
	// lost is set once the file is gone or names another process: it is
	// not ours any more, so the host neither writes nor removes it.
	lost bool
}

// createLockFile claims DIR/bgworker.pid. A lock held by a live host is
// refused; a stale one is taken over and returned as stale so the caller
// can deal with the segment it names.
func createLockFile(dir string) (*lockFile, *LockInfo, error) {
	path := filepath.Join(dir, LockFileName)
	self := os.Getpid()
	ticks, _ := procStartTicks(self)
	lf := &lockFile{path: path, info: LockInfo{
		Pid: self, DataDir: dir, StartTime: time.Now(), ProcStart: ticks,
		ShmID: -1, Status: "starting",
	}}
	var stale *LockInfo
	for attempt := 0; attempt < 100; attempt++ {
		f, err := openLockFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, werr := f.Write(lf.info.encode())
			cerr := f.Close()
			if werr != nil || cerr != nil {
				os.Remove(path)
				return nil, nil, fatalf("could not write lock file \"%s\": %v", path, errnoText(errors.Join(werr, cerr)))
			}
			return lf, stale, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, nil, fatalf("could not create lock file \"%s\": %v", path, errnoText(err))
		}
		old, rerr := ReadLockFile(dir)
		if rerr != nil {
			if errors.Is(rerr, fs.ErrNotExist) {
				continue // removed meanwhile; try again
			}
			// An unreadable or corrupt lock file: PostgreSQL treats a file it
			// cannot parse as stale after checking that it is not empty
			// because someone is writing it right now.
			time.Sleep(10 * time.Millisecond)
			if again, err := ReadLockFile(dir); err == nil {
				old = again
			} else if errors.Is(err, fs.ErrNotExist) {
				continue
			}
		}
		if old != nil && old.Pid != self && old.Alive() {
			return nil, nil, &StartupError{
				Message: fmt.Sprintf("lock file \"%s\" already exists", path),
				Hint:    fmt.Sprintf("Is another bgworker (PID %d) running in data directory \"%s\"?", old.Pid, dir),
			}
		}
		if old != nil {
			stale = old
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, &StartupError{
				Message: fmt.Sprintf("could not remove old lock file \"%s\": %v", path, errnoText(err)),
				Hint:    "The file seems accidentally left over, but it could not be removed. Please remove the file by hand and try again.",
			}
		}
	}
	return nil, nil, fatalf("could not create lock file \"%s\": too many attempts", path)
}

// update rewrites the lock file in place: one pwrite of all seven lines at
// offset 0, then a truncate to their length (a stale tail a reader may see
// in between follows the seventh newline, which ReadLockFile ignores), as
// PostgreSQL rewrites postmaster.pid. A temporary file renamed over it cost
// about 2 ms on ext4 at every phase change, mostly allocating an inode, and
// sat on the path of every crash cycle.
//
// The file is written only while it is still ours: a lock file that is
// gone is not created again, and one that names another process (a host
// started on a data directory made anew at the same path) is left alone;
// both return an error, as does a failed write, and a failed update sets
// dirty. The message of every error is PostgreSQL's (could not write lock
// file "%s": %m). Supervisor event loop.
func (lf *lockFile) update(mutate func(*LockInfo)) error {
	mutate(&lf.info)
	if lf.lost {
		return fmt.Errorf("lock file \"%s\" is not this host's any more", lf.path)
	}
	err := lf.write()
	lf.dirty = err != nil
	return err
}

// write is update's I/O; see there.
func (lf *lockFile) write() error {
	if err := lockWriteFault(); err != nil {
		return fmt.Errorf("could not write lock file \"%s\": %s", lf.path, errnoText(err))
	}
	f, err := os.OpenFile(lf.path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("could not open file \"%s\": %s", lf.path, errnoText(err))
	}
	defer f.Close()
	if problem := lf.notOurs(f); problem != "" {
		return errors.New(problem)
	}
	data := lf.info.encode()
	if _, err := f.WriteAt(data, 0); err != nil {
		return fmt.Errorf("could not write lock file \"%s\": %s", lf.path, errnoText(err))
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		return fmt.Errorf("could not write lock file \"%s\": %s", lf.path, errnoText(err))
	}
	return nil
}

// notOurs reads the open lock file and says why it is not this host's
// ("" when it is): PostgreSQL's "contains wrong PID" test, with the
// process start time as well, so that a host of another pid namespace
// with the same pid does not pass.
func (lf *lockFile) notOurs(f *os.File) string {
	buf := make([]byte, 4096)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Sprintf("could not read file \"%s\": %s", lf.path, errnoText(err))
	}
	cur, err := parseLockFile(lf.path, buf[:n])
	if err != nil {
		return err.Error()
	}
	if cur.Pid != lf.info.Pid || (cur.ProcStart != 0 && lf.info.ProcStart != 0 && cur.ProcStart != lf.info.ProcStart) {
		return fmt.Sprintf("lock file \"%s\" contains wrong PID: %d instead of %d", lf.path, cur.Pid, lf.info.Pid)
	}
	return ""
}

// check tells whether the lock file is still this host's: "" if it is,
// else the LOG line saying why not (the file gone, unreadable, or naming
// another process). PostgreSQL's RecheckDataDirLockFile.
func (lf *lockFile) check() string {
	f, err := os.Open(lf.path)
	if err != nil {
		return fmt.Sprintf("could not open file \"%s\": %s", lf.path, errnoText(err))
	}
	defer f.Close()
	return lf.notOurs(f)
}

// replaceFile writes data to path through a temporary file renamed over
// it, so a reader sees the old content or the new, never a part.
func replaceFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// remove deletes the lock file if it is still ours.
func (lf *lockFile) remove() {
	if lf.lost || lf.check() != "" {
		return
	}
	os.Remove(lf.path)
}

// restore puts back the lock file of the dead host it replaced, when a
// start is refused because of what that host left (a segment still in
// use): it names the segment, which the next start must check again.
// The caller forgets lf afterwards, so the file is not removed at exit.
func (lf *lockFile) restore(old *LockInfo) {
	replaceFile(lf.path, old.encode())
}
