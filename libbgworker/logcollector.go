package libbgworker

// This file will hold the logging collector.

// controlLogrotate answers `bgworker logrotate`.
func (p *postmaster) controlLogrotate() (ControlReply, error) {
	return ControlReply{}, nil
}

// LogrotateHost asks the host in dir to rotate its log file. CLI.
func LogrotateHost(dir string) error {
	if _, err := runningHost(dir); err != nil {
		return err
	}
	_, err := ControlDo(dir, ControlRequest{Op: OpLogrotate})
	return err
}
