package libbgworker

// This file holds `bgworker logrotate`: through the control socket the
// host answers whether its logging collector (syslogger.go) was asked to
// start new files; without the socket, the request is made as pg_ctl
// makes it (the file DIR/logrotate, then SIGUSR1). Postmaster goroutine
// (controlLogrotate) or CLI (LogrotateHost).

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// errNoCollector is the answer when there is nothing to rotate.
var errNoCollector = errors.New("the logging collector is not running (logging_collector is off); there is no log file to rotate")

// controlLogrotate answers `bgworker logrotate`.
func (p *postmaster) controlLogrotate() (ControlReply, error) {
	if !p.sys.rotate() {
		return ControlReply{}, errNoCollector
	}
	return ControlReply{}, nil
}

// LogrotateHost asks the host in dir to rotate its log files. CLI.
func LogrotateHost(dir string) error {
	l, err := runningHost(dir)
	if err != nil {
		return err
	}
	if _, err := ControlDo(dir, ControlRequest{Op: OpLogrotate}); err != nil {
		if !socketGone(err) {
			return err
		}
		path := filepath.Join(l.DataDir, LogrotateSignal)
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			return fmt.Errorf("could not create log rotation signal file \"%s\": %v", path, errnoText(err))
		}
		if err := syscall.Kill(l.Pid, syscall.SIGUSR1); err != nil {
			os.Remove(path)
			return fmt.Errorf("could not send log rotation signal (PID: %d): %v", l.Pid, err)
		}
	}
	return nil
}
