package libbgworker

// This file defines the control socket's protocol (docs/control-protocol.md):
// one JSON object per line each way, every request and reply carrying the
// protocol version. The types are shared by the supervisor's server and by
// the CLI's client. No C.

import "time"

// ControlVersion is the protocol version this build speaks.
const ControlVersion = 1

// ControlSocketName is the socket's name inside the data directory.
const ControlSocketName = "bgworker.sock"

// MaxControlRequest bounds one request line, newline included.
const MaxControlRequest = 64 << 10

// MaxCallRequest bounds the line of a call, whose arguments may be long
// (PostgreSQL's limit for one value is 1 GB; a call's line is held in
// memory twice, so it is kept smaller).
const MaxCallRequest = 256 << 20

// ControlTimeout bounds how long a connection may sit idle, and how long
// one request may wait for the supervisor.
const ControlTimeout = 10 * time.Second

// Operations.
const (
	OpStatus    = "status"    // the host and every worker
	OpWorker    = "worker"    // one registration, by slot and generation
	OpLaunch    = "launch"    // register a dynamic worker
	OpTerminate = "terminate" // stop workers for good, by pid, name or slot
	OpStop      = "stop"      // shut the host down (mode)
	OpReload    = "reload"    // re-read the configuration (as SIGHUP)
	OpPromote   = "promote"   // leave standby mode
	OpLogrotate = "logrotate" // switch the logging collector to a new file
)

// ControlRequest is one request. Fields not used by the operation are
// ignored.
type ControlRequest struct {
	Version    int         `json:"version"`
	Op         string      `json:"op"`
	Launch     *LaunchSpec `json:"launch,omitempty"`     // launch
	Pid        int         `json:"pid,omitempty"`        // terminate
	Name       string      `json:"name,omitempty"`       // terminate
	Slot       *int        `json:"slot,omitempty"`       // terminate, worker
	Generation uint64      `json:"generation,omitempty"` // worker
	Mode       string      `json:"mode,omitempty"`       // stop: smart, fast, immediate
	Summary    bool        `json:"summary,omitempty"`    // status: counts instead of workers
	History    bool        `json:"history,omitempty"`    // status: each worker's recent exits and failed starts
	Call       *CallSpec   `json:"call,omitempty"`       // call

	sessionFunction string // opSessionStart (internal): the function, for the title
}

// LaunchSpec describes a worker to launch, as `bgworker launch` flags do.
type LaunchSpec struct {
	Library     string   `json:"library"`
	Function    string   `json:"function"`
	Name        string   `json:"name,omitempty"`         // default: the function name
	Type        string   `json:"type,omitempty"`         // default: the name
	Arg         int64    `json:"arg,omitempty"`          // bgw_main_arg
	RestartTime *int     `json:"restart_time,omitempty"` // seconds; -1 or absent: never
	Flags       []string `json:"flags,omitempty"`        // "shmem", "database"
	StartTime   string   `json:"start_time,omitempty"`   // postmaster-start, consistent, recovery-finished (default)
	Extra       string   `json:"extra,omitempty"`        // bgw_extra (at most 127 bytes)
}

// ControlReply is one reply. OK false comes with Error; the connection
// stays usable unless the request was too large.
type ControlReply struct {
	Version int            `json:"version"`
	OK      bool           `json:"ok"`
	Error   string         `json:"error,omitempty"`
	Host    *HostStatus    `json:"host,omitempty"`    // status
	Workers []WorkerStatus `json:"workers,omitempty"` // status, launch, terminate, worker
	Counts  map[string]int `json:"counts,omitempty"`  // status with summary: workers per state
	Reload  *ReloadResult  `json:"reload,omitempty"`  // reload: what the host made of the file
	Call    *CallResult    `json:"call,omitempty"`    // call: the result, or the ERROR in it
	Notice  *CallMessage   `json:"notice,omitempty"`  // call with stream: a NOTICE ahead of the reply

	callErr error // an internal request's structured error (a *CallMessage)
}

// HostStatus describes the supervisor.
type HostStatus struct {
	Pid         int       `json:"pid"`
	Version     string    `json:"version"`
	Phase       string    `json:"phase"`
	StartedAt   time.Time `json:"started_at"`
	UptimeSecs  float64   `json:"uptime_seconds"`
	DataDir     string    `json:"data_directory"`
	SharedMem   int       `json:"shared_memory_bytes"`
	SlotsUsed   int       `json:"slots_used"`
	SlotsTotal  int       `json:"slots_total"`
	Socket      string    `json:"socket"`
	CrashCycle  bool      `json:"crash_cycle"`
	ShutdownReq string    `json:"shutdown,omitempty"` // smart, fast, immediate when requested
}

// Worker states as reported.
const (
	StateWaitingPhase   = "waiting for phase"  // its start time has not come
	StateWaitingStart   = "waiting to start"   // due, queued behind others
	StateStarting       = "starting"           // fork requested
	StateRunning        = "running"            //
	StateWaitingRestart = "waiting to restart" // until RestartAt
	StateCrashed        = "crashed"            // waiting for the crash cycle to end
	StateStopped        = "stopped"            // will not run again
)

// WorkerStatus describes one registered worker.
type WorkerStatus struct {
	Slot        int        `json:"slot"`
	Generation  uint64     `json:"generation"`
	Name        string     `json:"name"`
	Type        string     `json:"type"`
	Dynamic     bool       `json:"dynamic"`
	Library     string     `json:"library"`
	Function    string     `json:"function"`
	Flags       []string   `json:"flags"`
	StartTime   string     `json:"start_time"`
	RestartTime string     `json:"restart_time"` // "5s" or "never"
	State       string     `json:"state"`
	RestartAt   *time.Time `json:"restart_at,omitempty"`
	Pid         int        `json:"pid,omitempty"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	Restarts    int        `json:"restarts"`
	LastExit    string     `json:"last_exit,omitempty"`
	LastExitAt  *time.Time `json:"last_exit_at,omitempty"`
	Activity    string     `json:"activity,omitempty"`
	WaitEvent   string     `json:"wait_event,omitempty"`
	WaitType    string     `json:"wait_event_type,omitempty"`
	// History: with a status request's "history", the worker's last exits
	// and failed starts (history.go), newest last.
	History *WorkerHistory `json:"history,omitempty"`
}
