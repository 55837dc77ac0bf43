package libbgworker

// This file is `bgworker check`'s throw-away process: it reads the
// configuration as start would (the -c settings, the file and its
// includes, units and ranges), then loads the preload libraries and runs
// their _PG_init so that the modules' own parameters are checked too, and
// reports every problem instead of stopping at the first. It creates no
// lock file, no shared memory and no process; it is a separate execution of
// the binary (the CLI runs it and reads its report), so whatever a module
// does in _PG_init ends with it. Main goroutine of that process, which
// calls C as the postmaster goroutine would.

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"

	"github.com/bgworker/bgworker/cshim"
	"github.com/bgworker/bgworker/libbgworker/buildinfo"
)

// CheckReport is one line of the check process's report: a problem, or the
// final verdict (Done set).
type CheckReport struct {
	Problem   *ReloadReport `json:"problem,omitempty"`
	Done      bool          `json:"done,omitempty"`
	File      string        `json:"file,omitempty"`      // with Done: the configuration file
	Libraries []string      `json:"libraries,omitempty"` // with Done: what was loaded
}

// CheckConfig is the check process: it writes one JSON CheckReport per
// line to out and returns the exit status (0 no problem, 1 problems).
// Problems are those at WARNING and above, with file and line.
func CheckConfig(opts Options, out io.Writer) int {
	enc := json.NewEncoder(out)
	problems := 0
	report := func(r ReloadReport) {
		problems++
		enc.Encode(CheckReport{Problem: &r})
	}
	dir, perm, err := checkDataDir(opts.DataDir)
	if err != nil {
		report(startupProblem(err))
		enc.Encode(CheckReport{Done: true})
		return 1
	}
	if err := os.Chdir(dir); err != nil {
		report(ReloadReport{Level: "FATAL", Message: "could not change directory to \"" + dir + "\": " + errnoText(err)})
		enc.Encode(CheckReport{Done: true})
		return 1
	}
	cshim.InitSupervisor(dir, buildinfo.PkgLibDir(), int(perm))
	file := filepath.Join(dir, ConfigFileName)
	cshim.CheckConfigBegin(file, opts.Settings)
	spl, _ := cshim.GetConfigOption("shared_preload_libraries")
	loaded, loadErr := loadPreloadLibraries(spl)
	for _, r := range cshim.CheckConfigEnd() {
		if r.Level < cshim.LevelWarning {
			continue
		}
		report(ReloadReport{Level: levelName(r.Level), Message: r.Message, Detail: r.Detail, Hint: r.Hint,
			File: r.File, Line: r.Line})
	}
	if loadErr != nil {
		report(startupProblem(loadErr))
	}
	done := CheckReport{Done: true, File: file}
	for _, l := range loaded {
		done.Libraries = append(done.Libraries, l.path)
	}
	enc.Encode(done)
	if problems > 0 {
		return 1
	}
	return 0
}

// startupProblem is a start-up error as a FATAL problem.
func startupProblem(err error) ReloadReport {
	if se, ok := err.(*StartupError); ok {
		return ReloadReport{Level: "FATAL", Message: se.Message, Detail: se.Detail, Hint: se.Hint}
	}
	return ReloadReport{Level: "FATAL", Message: err.Error()}
}
