package libbgworker

// Options says how to run the supervisor. The zero value of each field is
// the default noted beside it.
type Options struct {
	DataDir   string      // the data directory; required
	Settings  [][2]string // -c name=value settings, in order; later ones win
	AllowRoot bool        // permit running as root (false: refuse, as PostgreSQL)
	// Program is the name used in messages printed before logging is up
	// (empty: "bgworker").
	Program string
}

// Shutdown modes, as PostgreSQL's: smart and fast stop workers with SIGTERM;
// immediate sends SIGQUIT.
const (
	ModeSmart     = "smart"
	ModeFast      = "fast"
	ModeImmediate = "immediate"
)

// File names inside the data directory.
const (
	ConfigFileName  = "bgworker.conf"
	LockFileName    = "bgworker.pid"
	StandbySignal   = "standby.signal"
	PromoteSignal   = "promote"
	LogrotateSignal = "logrotate"
	ControlSockName = ".s.bgworker"
)
