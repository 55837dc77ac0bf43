package libbgworker

// This file holds a reload's answer: what the supervisor made of the
// configuration file when `bgworker reload` asked it to re-read it (all of
// it applied, only the unaffected changes, or nothing), with the problems
// and changes it logged, so that the CLI can say so instead of only
// "server signaled". The supervisor side runs on the postmaster goroutine;
// ReloadHostResult runs in the CLI.

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
)

// Reload outcomes, as the log states them.
const (
	ReloadApplied    = "applied"     // no problem
	ReloadPartly     = "partly"      // errors; unaffected changes were applied
	ReloadNotApplied = "not applied" // errors; no changes were applied
)

// ReloadResult is what one reload did.
type ReloadResult struct {
	Outcome  string         `json:"outcome"`            // ReloadApplied, ReloadPartly or ReloadNotApplied
	File     string         `json:"file"`               // the configuration file
	Problems []ReloadReport `json:"problems,omitempty"` // as logged, in order
	Changes  []string       `json:"changes,omitempty"`  // "parameter ... changed to ..." and resets
}

// ReloadReport is one problem of a reload.
type ReloadReport struct {
	Level   string `json:"level"` // LOG, WARNING, ...
	Message string `json:"message"`
	Detail  string `json:"detail,omitempty"`
	Hint    string `json:"hint,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
}

// controlReload reloads as SIGHUP does and answers with the outcome.
// Postmaster goroutine.
func (p *postmaster) controlReload() (ControlReply, error) {
	if p.shutdown > smartShutdown {
		return ControlReply{}, errors.New("the server is shutting down; the configuration was not reloaded")
	}
	p.handleSignal(unix.SIGHUP)
	outcome, reps := cshim.LastReloadOutcome()
	res := &ReloadResult{Outcome: ReloadApplied, File: cshim.ConfigFileName()}
	switch outcome {
	case cshim.ReloadPartly:
		res.Outcome = ReloadPartly
	case cshim.ReloadNotApplied:
		res.Outcome = ReloadNotApplied
	}
	for _, r := range reps {
		if r.Code == 0 {
			res.Changes = append(res.Changes, r.Message)
			continue
		}
		res.Problems = append(res.Problems, ReloadReport{Level: levelName(r.Level), Message: r.Message,
			Detail: r.Detail, Hint: r.Hint, File: r.File, Line: r.Line})
	}
	return ControlReply{Reload: res}, nil
}

// levelName is PostgreSQL's name of an elog level, as the log shows it.
func levelName(level int) string {
	switch {
	case level >= cshim.LevelFatal:
		return "FATAL"
	case level >= cshim.LevelError:
		return "ERROR"
	case level == cshim.LevelLog:
		return "LOG"
	case level >= cshim.LevelWarning:
		return "WARNING"
	}
	return "NOTICE"
}

// ReloadHostResult makes the host in dir re-read its configuration and
// returns what it did; nil (and no error) when only a signal could be
// sent, which says nothing of the outcome. CLI.
func ReloadHostResult(dir string) (*ReloadResult, error) {
	if _, err := runningHost(dir); err != nil {
		return nil, err
	}
	rep, err := ControlDo(dir, ControlRequest{Op: OpReload})
	if err != nil {
		if !socketGone(err) {
			return nil, err
		}
		return nil, Reload(dir)
	}
	if rep.Reload == nil {
		return nil, fmt.Errorf("malformed reply from the host: no reload result")
	}
	return rep.Reload, nil
}
