package tests

// A throwaway PostgreSQL server for the database tests: the installed
// server binaries (Debian's /usr/lib/postgresql/15/bin, or PG_BINDIR), a
// cluster made by initdb in a fresh temporary directory, reachable only
// through a Unix socket in that directory (listen_addresses is empty, so
// no TCP port is opened). The suite runs as root and PostgreSQL refuses
// to run as root, so initdb and the server run as the unprivileged system
// user pgTestUser, which .ci/ensure-tools creates when it is missing.
// The test's cleanup stops the server and removes the directory.
//
// Authentication: every role connects without a password (trust) except
// pgSecretRole, which must give a password (scram-sha-256); the tests of
// passwords create that role with CreateSecretRole.

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	// pgTestUser runs initdb and the server when the tests run as root.
	pgTestUser = "bgwpgtest"
	// pgSuperuser is the bootstrap superuser of the test cluster.
	pgSuperuser = "postgres"
	// pgSecretRole is the one role that authenticates with a password.
	pgSecretRole = "bgw_secret"
	// pgPort only names the socket file (.s.PGSQL.5432): no TCP.
	pgPort = 5432
)

// pgServer is one running throwaway server.
type pgServer struct {
	t       *testing.T
	bindir  string
	root    string // the temporary directory holding everything
	data    string // the data directory
	sockDir string // where the Unix socket lives
	logFile string
	cred    *syscall.Credential // nil when not running as root
}

// pgBinDir finds the server binaries: $PG_BINDIR, else Debian's
// PostgreSQL 15 location, else pg_config --bindir.
func pgBinDir() string {
	if d := os.Getenv("PG_BINDIR"); d != "" {
		return d
	}
	if _, err := os.Stat("/usr/lib/postgresql/15/bin/initdb"); err == nil {
		return "/usr/lib/postgresql/15/bin"
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

// startPGServer makes and starts a new cluster; it is stopped and removed
// when the test ends. extraConf lines go into postgresql.conf.
func startPGServer(t *testing.T, extraConf ...string) *pgServer {
	t.Helper()
	bindir := pgBinDir()
	require.NotEmpty(t, bindir, "no PostgreSQL server binaries (initdb, postgres): install postgresql-15 (.ci/ensure-tools does)")
	s := &pgServer{t: t, bindir: bindir}
	root, err := os.MkdirTemp("", "bgworker-pg-")
	require.NoError(t, err)
	s.root = root
	s.data = filepath.Join(root, "data")
	s.sockDir = root
	s.logFile = filepath.Join(root, "server.log")
	t.Cleanup(s.remove)
	if os.Geteuid() == 0 {
		u, err := user.Lookup(pgTestUser)
		require.NoError(t, err, "the tests run as root and need the system user %q to run PostgreSQL (.ci/ensure-tools creates it)", pgTestUser)
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		require.NoError(t, os.Chown(root, uid, gid))
	}
	require.NoError(t, os.Chmod(root, 0o755)) // root (the tests) reaches the socket

	pwfile := filepath.Join(root, "pwfile")
	require.NoError(t, os.WriteFile(pwfile, []byte("unused-superuser-password\n"), 0o644))
	out, err := s.command("initdb", "-D", s.data, "-U", pgSuperuser, "--pwfile", pwfile,
		"-A", "trust", "-E", "UTF8", "--locale", "C", "--no-sync").CombinedOutput()
	require.NoError(t, err, "initdb: %s", out)
	os.Remove(pwfile)

	hba := fmt.Sprintf("local all %s scram-sha-256\nlocal all all trust\n", pgSecretRole)
	s.writeAsOwner(filepath.Join(s.data, "pg_hba.conf"), hba)
	conf := []string{
		"listen_addresses = ''",
		fmt.Sprintf("unix_socket_directories = '%s'", s.sockDir),
		fmt.Sprintf("port = %d", pgPort),
		"fsync = off",
		"shared_buffers = 16MB",
		"max_connections = 40",
		"max_wal_senders = 0",
		"wal_level = minimal",
		"log_min_messages = warning",
		"dynamic_shared_memory_type = posix",
	}
	conf = append(conf, extraConf...)
	f, err := os.OpenFile(filepath.Join(s.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("\n" + strings.Join(conf, "\n") + "\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	s.Start()
	return s
}

// command runs a server binary as the server's user.
func (s *pgServer) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bindir, name), args...)
	cmd.Dir = s.root
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd
}

// writeAsOwner writes a file of the cluster (owned by the server's user).
func (s *pgServer) writeAsOwner(path, content string) {
	require.NoError(s.t, os.WriteFile(path, []byte(content), 0o600))
	if s.cred != nil {
		require.NoError(s.t, os.Chown(path, int(s.cred.Uid), int(s.cred.Gid)))
	}
}

// Start starts the server and waits until it accepts connections.
func (s *pgServer) Start() {
	s.t.Helper()
	out, err := s.command("pg_ctl", "-D", s.data, "-l", s.logFile, "-w", "-t", "60", "start").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(s.logFile)
		s.t.Fatalf("pg_ctl start: %v\n%s\nserver log:\n%s", err, out, log)
	}
}

// Stop stops the server (mode: smart, fast or immediate) and waits.
func (s *pgServer) Stop(mode string) {
	s.t.Helper()
	out, err := s.command("pg_ctl", "-D", s.data, "-m", mode, "-w", "-t", "60", "stop").CombinedOutput()
	require.NoError(s.t, err, "pg_ctl stop: %s", out)
}

// remove stops the server if it runs and deletes everything it made.
func (s *pgServer) remove() {
	if _, err := os.Stat(filepath.Join(s.data, "postmaster.pid")); err == nil {
		s.command("pg_ctl", "-D", s.data, "-m", "immediate", "-w", "-t", "60", "stop").Run()
	}
	if s.t.Failed() {
		if log, err := os.ReadFile(s.logFile); err == nil {
			s.t.Logf("PostgreSQL server log:\n%s", log)
		}
	}
	os.RemoveAll(s.root)
}

// Conninfo is a libpq connection string for database db as role user.
func (s *pgServer) Conninfo(db, user string) string {
	return fmt.Sprintf("host=%s port=%d dbname=%s user=%s", s.sockDir, pgPort, db, user)
}

// Env is the PG* environment that points libpq at this server.
func (s *pgServer) Env() []string {
	return []string{"PGHOST=" + s.sockDir, fmt.Sprintf("PGPORT=%d", pgPort), "PGUSER=" + pgSuperuser, "PGDATABASE=postgres"}
}

// SQL runs one or more statements with psql as the superuser in database
// postgres and returns the unaligned, tuples-only output.
func (s *pgServer) SQL(sql string) string {
	s.t.Helper()
	out, err := s.trySQL("postgres", sql)
	require.NoError(s.t, err, "psql: %s\n%s", sql, out)
	return out
}

// trySQL is SQL in database db, returning psql's error.
func (s *pgServer) trySQL(db, sql string) (string, error) {
	cmd := exec.Command(filepath.Join(s.bindir, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
		"-h", s.sockDir, "-p", strconv.Itoa(pgPort), "-U", pgSuperuser, "-d", db, "-c", sql)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// waitSQL polls sql until its output equals want.
func (s *pgServer) waitSQL(sql, want string, timeout time.Duration) {
	s.t.Helper()
	var got string
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		got, _ = s.trySQL("postgres", sql)
		if got == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("%s: got %q, want %q", sql, got, want)
}

// CreateSecretRole creates pgSecretRole (a superuser) with this password.
func (s *pgServer) CreateSecretRole(password string) {
	s.t.Helper()
	s.SQL(fmt.Sprintf("CREATE ROLE %s LOGIN SUPERUSER PASSWORD '%s'", pgSecretRole, password))
}

// TestPGServerHarness: the throwaway server starts, answers over its
// socket only, restarts, and is gone after the test.
func TestPGServerHarness(t *testing.T) {
	t.Parallel()
	s := startPGServer(t)
	require.Equal(t, "1", s.SQL("SELECT 1"))
	require.Equal(t, "", s.SQL("SHOW listen_addresses"))
	s.Stop("fast")
	_, err := s.trySQL("postgres", "SELECT 1")
	require.Error(t, err)
	s.Start()
	require.Equal(t, "2", s.SQL("SELECT 1+1"))
}
