package libbgworker

// This file holds the data directory: the checks made before the supervisor
// touches anything in it, and `bgworker init`. It runs in the supervisor
// process (checks) or the CLI (init), before any C is called.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"unicode"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// StartupError is a failure before the supervisor runs: it is reported as
// one FATAL line (with DETAIL and HINT if set) and the host exits 1.
type StartupError struct {
	Message string // primary message, PostgreSQL style (lower case, no period)
	Detail  string // full sentence or empty
	Hint    string // full sentence or empty
}

func (e *StartupError) Error() string { return e.Message }

func fatalf(format string, args ...any) *StartupError {
	return &StartupError{Message: fmt.Sprintf(format, args...)}
}

// checkDataDir makes the data directory checks PostgreSQL makes: it
// exists, is a directory, is owned by the running user and is not
// accessible to others (0700 or 0750). It returns the absolute path and
// those permissions.
func checkDataDir(dir string) (string, fs.FileMode, error) {
	if dir == "" {
		return "", 0, &StartupError{Message: "no data directory specified",
			Hint: "Specify the data directory with -D DIR."}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", 0, fatalf("could not resolve data directory \"%s\": %v", dir, err)
	}
	st, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return "", 0, fatalf("data directory \"%s\" does not exist", abs)
	}
	if err != nil {
		return "", 0, fatalf("could not read permissions of directory \"%s\": %v", abs, errnoText(err))
	}
	if !st.IsDir() {
		return "", 0, fatalf("specified data directory \"%s\" is not a directory", abs)
	}
	sys := st.Sys().(*syscall.Stat_t)
	if int(sys.Uid) != os.Geteuid() {
		return "", 0, &StartupError{
			Message: fmt.Sprintf("data directory \"%s\" has wrong ownership", abs),
			Hint:    "The server must be started by the user that owns the data directory.",
		}
	}
	perm := st.Mode().Perm()
	if perm != 0o700 && perm != 0o750 {
		return "", 0, &StartupError{
			Message: fmt.Sprintf("data directory \"%s\" has invalid permissions", abs),
			Detail:  "Permissions should be u=rwx (0700) or u=rwx,g=rx (0750).",
		}
	}
	return abs, perm, nil
}

// createMask is the file creation mask PostgreSQL uses for a data
// directory with permissions perm: 0077, or 0027 when the group may read
// the directory (0750).
func createMask(perm fs.FileMode) int {
	if perm&0o050 == 0o050 {
		return 0o027
	}
	return 0o077
}

// processContext is what the supervisor changes in its process: the
// working directory (the data directory) and the file creation mask.
type processContext struct {
	cwd  string // "" when it could not be read
	mask int
}

// saveProcessContext records the working directory and the file creation
// mask before the supervisor changes them.
func saveProcessContext() processContext {
	cwd, err := os.Getwd()
	if err != nil {
		cwd = ""
	}
	mask := unix.Umask(0o077)
	unix.Umask(mask)
	return processContext{cwd: cwd, mask: mask}
}

// restoreProcessContext gives a program that embeds the supervisor its
// working directory and creation mask back when the supervisor returns.
// The directory may be gone: then the data directory stays current.
func restoreProcessContext(c processContext) {
	unix.Umask(c.mask)
	if c.cwd != "" {
		_ = os.Chdir(c.cwd)
	}
}

// errnoText renders an error for a message as %m prints it in C: any
// errno in it (inside a *PathError, *net.OpError, *os.SyscallError or a
// joined error) as strerror's text alone ("Permission denied", not Go's
// "dial unix /path: connect: permission denied"); a deadline that passed as
// ETIMEDOUT's text. Other errors keep their own text.
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) && errno != 0 {
		return strerror(errno)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return strerror(syscall.ETIMEDOUT)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return err.Error()
}

// strerror is errno's text as PostgreSQL's %m prints it (glibc's
// strerror): "No space left on device".
func strerror(errno syscall.Errno) string {
	s := errno.Error()
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// sampleConfig is what `bgworker init` writes into bgworker.conf.
const sampleConfig = `# bgworker configuration file
#
# The syntax is PostgreSQL's: "name = value", one per line; '#' starts a
# comment; include 'file', include_if_exists 'file' and include_dir 'dir'
# read other files. Changes to parameters marked (restart) need a restart;
# the others apply on "bgworker reload -D DIR" or SIGHUP.

#shared_preload_libraries = ''		# modules to load at start (restart)
#dynamic_library_path = '$libdir'	# where bare module names are looked up
#max_worker_processes = 8		# slots for static and dynamic workers (restart)
#restart_after_crash = on		# reinitialise after a worker crash
#log_min_messages = warning		# debug5 .. debug1, info, notice, warning,
					# error, log, fatal, panic
#log_line_prefix = '%m [%p] '		# %m time, %p pid, %b process type, ...
#log_destination = 'stderr'		# stderr, jsonlog
#cluster_name = ''			# shown in process titles (restart)
#hot_standby = on			# run ConsistentState workers on a standby (restart)

# Module parameters use the module's prefix, for example:
#worker_sample.naptime = 1s
`

// InitDataDir creates a data directory (mode 0700) with a commented
// bgworker.conf. An existing non-empty directory is refused, as initdb does.
func InitDataDir(dir string) error {
	if dir == "" {
		return errors.New("no data directory specified")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if entries, err := os.ReadDir(abs); err == nil {
		if len(entries) > 0 {
			return fmt.Errorf("directory \"%s\" exists but is not empty", abs)
		}
		if err := os.Chmod(abs, 0o700); err != nil {
			return fmt.Errorf("could not change permissions of directory \"%s\": %v", abs, errnoText(err))
		}
	} else if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(abs, 0o700); err != nil {
			return fmt.Errorf("could not create directory \"%s\": %v", abs, errnoText(err))
		}
	} else {
		return fmt.Errorf("could not access directory \"%s\": %v", abs, errnoText(err))
	}
	conf := filepath.Join(abs, ConfigFileName)
	if err := os.WriteFile(conf, []byte(sampleConfig), 0o600); err != nil {
		return fmt.Errorf("could not write file \"%s\": %v", conf, errnoText(err))
	}
	return nil
}
