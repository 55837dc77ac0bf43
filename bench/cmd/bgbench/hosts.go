// hosts.go: the two hosts the benchmark drives, bgworker and PostgreSQL 15,
// behind one interface: start a host with the bench module preloaded and a
// given configuration, signal it, wait for it to exit.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// host is one of the two programs under test.
type host interface {
	name() string
	// start runs the host in the foreground with the bench module and the
	// given bgbench/host settings; the events file is created empty.
	start(settings map[string]string) (*running, error)
	// cleanup removes whatever the host left behind (data directories,
	// stale shared memory after a SIGKILL).
	cleanup()
}

// running is one host process and the events its workers write.
type running struct {
	cmd     *exec.Cmd
	t0      time.Time // just before the host was started
	events  *eventLog
	logPath string
	exited  chan struct{}
	waitErr error
}

func (r *running) pid() int { return r.cmd.Process.Pid }

// signal sends sig to the host process.
func (r *running) signal(sig syscall.Signal) error { return r.cmd.Process.Signal(sig) }

// wait waits up to timeout for the host to exit, and returns when it did.
func (r *running) wait(timeout time.Duration) (time.Time, error) {
	select {
	case <-r.exited:
		return time.Now(), nil
	case <-time.After(timeout):
		return time.Time{}, fmt.Errorf("host pid %d did not exit within %s", r.pid(), timeout)
	}
}

// stop ends the host with a fast shutdown (SIGINT), then SIGKILL if it
// hangs. Used between measurements.
func (r *running) stop() {
	if r.hasExited() {
		return
	}
	_ = r.signal(syscall.SIGINT)
	if _, err := r.wait(60 * time.Second); err != nil {
		_ = r.signal(syscall.SIGKILL)
		<-r.exited
	}
	r.events.close()
}

func (r *running) hasExited() bool {
	select {
	case <-r.exited:
		return true
	default:
		return false
	}
}

// logTail returns the last lines of the host's log, for error reports.
func (r *running) logTail() string {
	b, _ := os.ReadFile(r.logPath)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}

// launch starts cmd with its stderr and stdout in logPath and a fresh
// events file.
func launch(cmd *exec.Cmd, logPath, eventsPath string, owner *user.User) (*running, error) {
	if err := os.WriteFile(eventsPath, nil, 0o666); err != nil {
		return nil, err
	}
	_ = os.Remove(eventsPath + ".action")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	if owner != nil {
		if err := chownTo(owner, eventsPath, logPath); err != nil {
			logf.Close()
			return nil, err
		}
	}
	cmd.Stdout = logf
	cmd.Stderr = logf
	r := &running{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	r.events = newEventLog(eventsPath)
	r.t0 = time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting %s: %w", cmd.Path, err)
	}
	live.add(r)
	go func() {
		r.waitErr = cmd.Wait()
		logf.Close()
		live.remove(r)
		close(r.exited)
	}()
	return r, nil
}

// live is the set of hosts running now, so that an interrupted benchmark
// does not leave them behind.
var live = &liveHosts{m: map[*running]bool{}}

type liveHosts struct {
	mu sync.Mutex
	m  map[*running]bool
}

func (l *liveHosts) add(r *running)    { l.mu.Lock(); l.m[r] = true; l.mu.Unlock() }
func (l *liveHosts) remove(r *running) { l.mu.Lock(); delete(l.m, r); l.mu.Unlock() }

// stopAll ends every live host with an immediate shutdown and waits.
func (l *liveHosts) stopAll() {
	l.mu.Lock()
	rs := make([]*running, 0, len(l.m))
	for r := range l.m {
		rs = append(rs, r)
	}
	l.mu.Unlock()
	for _, r := range rs {
		_ = r.signal(syscall.SIGQUIT)
		if _, err := r.wait(10 * time.Second); err != nil {
			_ = r.signal(syscall.SIGKILL)
			<-r.exited
		}
	}
}

func settingArgs(settings map[string]string) []string {
	var args []string
	for k, v := range settings {
		args = append(args, "-c", k+"="+v)
	}
	return args
}

// bgwHost runs bin/bgworker.
type bgwHost struct {
	bin     string // the bgworker binary
	dir     string // work directory: module and data directory
	dataDir string
	runs    int
	env     []string // added to the environment of the next host started
}

func newBgwHost(bin, work, module string) (*bgwHost, error) {
	h := &bgwHost{bin: bin, dir: filepath.Join(work, "bgw")}
	h.dataDir = filepath.Join(h.dir, "data")
	if err := os.MkdirAll(h.dir, 0o755); err != nil {
		return nil, err
	}
	if err := copyFile(module, filepath.Join(h.dir, "bgbench.so")); err != nil {
		return nil, err
	}
	if out, err := exec.Command(bin, "init", "-D", h.dataDir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("bgworker init: %v: %s", err, out)
	}
	return h, nil
}

func (h *bgwHost) name() string { return "bgworker" }

func (h *bgwHost) start(settings map[string]string) (*running, error) {
	h.runs++
	ev := filepath.Join(h.dir, fmt.Sprintf("events-%d", h.runs))
	all := map[string]string{
		"shared_preload_libraries": "bgbench",
		"dynamic_library_path":     h.dir,
		"bgbench.events":           ev,
	}
	for k, v := range settings {
		all[k] = v
	}
	args := append([]string{"start", "-D", h.dataDir}, settingArgs(all)...)
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root")
	}
	cmd := exec.Command(h.bin, args...)
	if len(h.env) > 0 {
		cmd.Env = append(os.Environ(), h.env...)
	}
	return launch(cmd, filepath.Join(h.dir, fmt.Sprintf("log-%d", h.runs)), ev, nil)
}

func (h *bgwHost) cleanup() {
	removeStaleSegment(filepath.Join(h.dataDir, "bgworker.pid"), 5, 1)
}

// pgCluster is a throwaway PostgreSQL 15 cluster owned by the
// unprivileged user pgUser: the server's binaries, its folder (the module,
// the socket, logs) and its data directory.
type pgCluster struct {
	bin     string
	dir     string
	dataDir string
	owner   *user.User
}

const pgUser = "bgbench"

// newPgCluster runs initdb in work/sub as pgUser, with module copied into
// the folder as soName.
func newPgCluster(work, sub, module, soName string) (pgCluster, error) {
	bindir, err := exec.Command("pg_config", "--bindir").Output()
	if err != nil {
		return pgCluster{}, fmt.Errorf("pg_config --bindir: %w (install postgresql-15 and postgresql-server-dev-15)", err)
	}
	owner, err := ensureUser(pgUser)
	if err != nil {
		return pgCluster{}, err
	}
	c := pgCluster{bin: strings.TrimSpace(string(bindir)), dir: filepath.Join(work, sub), owner: owner}
	c.dataDir = filepath.Join(c.dir, "data")
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return pgCluster{}, err
	}
	if err := copyFile(module, filepath.Join(c.dir, soName)); err != nil {
		return pgCluster{}, err
	}
	if err := chownTo(owner, c.dir); err != nil {
		return pgCluster{}, err
	}
	cmd := exec.Command(filepath.Join(c.bin, "initdb"), "-D", c.dataDir, "-A", "trust", "--no-sync")
	cmd.SysProcAttr = c.creds()
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return pgCluster{}, fmt.Errorf("initdb: %v: %s", err, out)
	}
	return c, nil
}

// creds runs a command as the cluster's owner.
func (c pgCluster) creds() *syscall.SysProcAttr {
	uid, _ := strconv.Atoi(c.owner.Uid)
	gid, _ := strconv.Atoi(c.owner.Gid)
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
}

// pgHost runs PostgreSQL 15's postgres binary as an unprivileged user.
type pgHost struct {
	pgCluster
	fsync bool
	runs  int
}

func newPgHost(work, module string) (*pgHost, error) {
	c, err := newPgCluster(work, "pg", module, "bgbench.so")
	if err != nil {
		return nil, err
	}
	return &pgHost{pgCluster: c, fsync: true}, nil
}

func (h *pgHost) name() string { return "PostgreSQL" }

func (h *pgHost) start(settings map[string]string) (*running, error) {
	h.runs++
	ev := filepath.Join(h.dir, fmt.Sprintf("events-%d", h.runs))
	fsync := "on"
	if !h.fsync {
		fsync = "off"
	}
	all := map[string]string{
		"shared_preload_libraries": "bgbench",
		"dynamic_library_path":     h.dir + ":$libdir",
		"bgbench.events":           ev,
		"listen_addresses":         "",
		"unix_socket_directories":  h.dir,
		"max_connections":          "10",
		"fsync":                    fsync,
	}
	for k, v := range settings {
		if k == "max_worker_processes" {
			// PostgreSQL's own logical replication launcher takes a slot.
			n, _ := strconv.Atoi(v)
			v = strconv.Itoa(n + 4)
		}
		all[k] = v
	}
	cmd := exec.Command(filepath.Join(h.bin, "postgres"), append([]string{"-D", h.dataDir}, settingArgs(all)...)...)
	cmd.SysProcAttr = h.creds()
	cmd.Dir = h.dir
	return launch(cmd, filepath.Join(h.dir, fmt.Sprintf("log-%d", h.runs)), ev, h.owner)
}

func (h *pgHost) cleanup() {
	removeStaleSegment(filepath.Join(h.dataDir, "postmaster.pid"), 7, 2)
}

// removeStaleSegment removes the System V segment whose id is the
// shmField-th field of line lineNo of a lock file, if no process is
// attached to it any more (a host killed with SIGKILL leaves it behind).
// bgworker.pid has the id alone on line 5; postmaster.pid has "KEY ID" on
// line 7.
func removeStaleSegment(lockFile string, lineNo, field int) {
	b, err := os.ReadFile(lockFile)
	if err != nil {
		return
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < lineNo {
		return
	}
	f := strings.Fields(lines[lineNo-1])
	if len(f) < field {
		return
	}
	id, err := strconv.Atoi(f[field-1])
	if err != nil {
		return
	}
	var ds unix.SysvShmDesc
	if _, err := unix.SysvShmCtl(id, unix.IPC_STAT, &ds); err == nil && ds.Nattch == 0 {
		_, _ = unix.SysvShmCtl(id, unix.IPC_RMID, nil)
	}
}

// ensureUser returns the account PostgreSQL runs as, creating it when
// absent (PostgreSQL refuses to run as root).
func ensureUser(name string) (*user.User, error) {
	if u, err := user.Lookup(name); err == nil {
		return u, nil
	}
	out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("useradd %s: %v: %s", name, err, out)
	}
	return user.Lookup(name)
}

func chownTo(u *user.User, paths ...string) error {
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for _, p := range paths {
		if err := os.Chown(p, uid, gid); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o755)
}
