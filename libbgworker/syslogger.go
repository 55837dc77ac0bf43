package libbgworker

// This file is the logging collector (logging_collector = on), PostgreSQL's
// syslogger as three goroutines of the supervisor: two readers, one per
// pipe, and one writer that owns the log files. None of them calls C.
//
// The pipes:
//   - the children's pipe is fd 1 and fd 2 of the supervisor and therefore
//     of the fork server and every worker: records (in the chunk protocol of
//     cshim/elog/elog.c) and whatever a module prints. It blocks, as
//     PostgreSQL's does: when the collector falls behind, writers wait.
//   - the supervisor's own pipe carries only the supervisor's records and
//     is non-blocking on the writing side, so that a slow or blocked log
//     file never stops the event loop, the control socket or restarts: a
//     record that does not fit is dropped and counted, and the count is
//     logged once the log moves again.
//
// The readers parse chunks into records and queue them; the writer writes
// each to the file of its destination (stderr, csvlog, jsonlog), rotates
// by age, by size, on `bgworker logrotate` and when log_directory or
// log_filename change, and keeps current_logfiles in the data directory
// as PostgreSQL does. Between the readers and the writer, a queue of at
// most maxLogQueue bytes: when it is full, the children's reader stops
// reading (back-pressure) and the supervisor's reader drops.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
)

// The chunk protocol's constants (cshim/elog/elog.c).
const (
	logChunkHdr  = 9
	logChunkMax  = 4096 // PIPE_BUF
	logChunkLast = 0x80
	maxLogQueue  = 32 << 20 // bytes queued between readers and writer
	logPipeSize  = 1 << 20  // F_SETPIPE_SZ asked for each pipe
)

// CurrentLogfiles is the file in the data directory naming the current
// log file of each destination, as PostgreSQL's.
const CurrentLogfiles = "current_logfiles"

// logConfig is what the writer needs of the settings; the postmaster
// goroutine reads them (C) and hands them over.
type logConfig struct {
	dir      string // log_directory, absolute
	relDir   string // log_directory as set (for current_logfiles)
	filename string // log_filename, a strftime pattern
	mode     os.FileMode
	age      time.Duration // log_rotation_age, 0 = off
	size     int64         // log_rotation_size in bytes, 0 = off
	truncate bool          // log_truncate_on_rotation
	dests    int           // log_destination bits
}

type logRecord struct {
	dest int
	data []byte
}

// logFile is one destination's open file.
type logFile struct {
	f    *os.File
	name string // base name
	size int64
}

type syslogger struct {
	dataDir string

	ownR, kidR     *os.File // read ends
	ownW, kidW     int      // write ends (the supervisor's own records; fd 1 and 2)
	savedOut       int      // the original fd 1 and 2, restored by stop
	savedErr       int
	readersDone    sync.WaitGroup
	writerDone     chan struct{}
	droppedInQueue atomic.Uint64

	mu       sync.Mutex
	cond     *sync.Cond
	queue    []logRecord
	queued   int
	cfg      *logConfig // new settings for the writer, nil if none
	rotateRq bool       // a rotation was asked for
	closing  bool       // stop has begun: readers no longer wait for room
	stopping bool       // the readers are done: the writer ends when the queue is empty
}

// logConfigNow reads the collector's settings. Postmaster goroutine.
func logConfigNow(dataDir string) logConfig {
	rel, _ := cshim.GetConfigOption("log_directory")
	dir := rel
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(dataDir, dir)
	}
	name, _ := cshim.GetConfigOption("log_filename")
	dests := cshim.LogDestinationStderr
	if v, ok := cshim.GetConfigOption("log_destination"); ok {
		dests = 0
		for _, w := range strings.Split(v, ",") {
			switch strings.ToLower(strings.Trim(strings.TrimSpace(w), `"`)) {
			case "stderr":
				dests |= cshim.LogDestinationStderr
			case "csvlog":
				dests |= cshim.LogDestinationCSVLog
			case "jsonlog":
				dests |= cshim.LogDestinationJSONLog
			}
		}
	}
	return logConfig{
		dir: dir, relDir: rel, filename: name,
		mode:     os.FileMode(cshim.ConfigInt("log_file_mode")) & 0o777,
		age:      time.Duration(cshim.ConfigInt("log_rotation_age")) * time.Minute,
		size:     int64(cshim.ConfigInt("log_rotation_size")) * 1024,
		truncate: cshim.ConfigBool("log_truncate_on_rotation"),
		dests:    dests,
	}
}

// startSyslogger starts the collector when logging_collector is on, and
// returns nil when it is off. It logs PostgreSQL's lines about the
// redirection to the original stderr first. Postmaster goroutine, before
// the fork server exists (so that every child gets the pipe).
func startSyslogger(dataDir string) (*syslogger, error) {
	if !cshim.ConfigBool("logging_collector") {
		return nil, nil
	}
	cfg := logConfigNow(dataDir)
	s := &syslogger{dataDir: dataDir, writerDone: make(chan struct{}), savedOut: -1, savedErr: -1}
	s.cond = sync.NewCond(&s.mu)
	var own, kid [2]int
	if err := unix.Pipe2(own[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return nil, fatalf("could not create pipe for syslog: %v", errnoText(err))
	}
	if err := unix.Pipe2(kid[:], unix.O_CLOEXEC); err != nil {
		unix.Close(own[0])
		unix.Close(own[1])
		return nil, fatalf("could not create pipe for syslog: %v", errnoText(err))
	}
	for _, fd := range []int{own[1], kid[1]} {
		unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, logPipeSize) // best effort
	}
	unix.SetNonblock(kid[0], true) // read side pollable, for the deadline at stop
	s.ownR, s.ownW = os.NewFile(uintptr(own[0]), "supervisor log pipe"), own[1]
	s.kidR, s.kidW = os.NewFile(uintptr(kid[0]), "log pipe"), kid[1]

	// The writer opens the first files before anything is redirected, so
	// that a log_directory that cannot be made fails the start on stderr.
	files := map[int]*logFile{}
	if err := s.openFiles(&cfg, files, time.Now(), false); err != nil {
		s.closePipes()
		return nil, err
	}
	cshim.Log(cshim.LevelLog, "redirecting log output to logging collector process", "",
		fmt.Sprintf("Future log output will appear in directory \"%s\".", cfg.relDir))

	var err error
	if s.savedOut, err = unix.Dup(1); err == nil {
		s.savedErr, err = unix.Dup(2)
	}
	if err == nil {
		err = unix.Dup2(s.kidW, 1)
	}
	if err == nil {
		err = unix.Dup2(s.kidW, 2)
	}
	if err != nil {
		s.restoreStdio()
		s.closePipes()
		closeLogFiles(files)
		return nil, fatalf("could not redirect stderr: %v", errnoText(err))
	}
	cshim.SetLogCollector(s.ownW)

	s.readersDone.Add(2)
	go s.read(s.ownR, false)
	go s.read(s.kidR, true)
	go s.write(cfg, files)
	return s, nil
}

// reconfigure hands the reloaded settings to the writer. Postmaster
// goroutine, after a reload.
func (s *syslogger) reconfigure() {
	if s == nil {
		return
	}
	cfg := logConfigNow(s.dataDir)
	s.mu.Lock()
	s.cfg = &cfg
	s.mu.Unlock()
	s.cond.Broadcast()
}

// rotate asks the writer to start new files (bgworker logrotate). Any
// goroutine. It reports whether a collector runs.
func (s *syslogger) rotate() bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	s.rotateRq = true
	s.mu.Unlock()
	s.cond.Broadcast()
	return true
}

// stop ends the collector: the supervisor's records go to the original
// stderr again, the readers read what the pipes still hold (until every
// writer is gone, or a second at most: a stray grandchild of a worker may
// hold the pipe open), and the writer writes everything and closes its
// files (waiting for it at most killStragglersAfter). Postmaster
// goroutine, last thing before the process exits.
func (s *syslogger) stop() {
	if s == nil {
		return
	}
	cshim.SetLogCollector(-1)
	s.restoreStdio()
	unix.Close(s.ownW)
	unix.Close(s.kidW)
	s.mu.Lock()
	s.closing = true // a reader waiting for room drops instead
	s.mu.Unlock()
	s.cond.Broadcast()
	deadline := time.Now().Add(time.Second)
	s.ownR.SetReadDeadline(deadline)
	s.kidR.SetReadDeadline(deadline)
	s.readersDone.Wait()
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	s.cond.Broadcast()
	// A writer stuck in a file system that does not answer must not keep
	// the process from exiting (PostgreSQL's postmaster does not wait for
	// its collector either): give it the time a child gets to exit.
	select {
	case <-s.writerDone:
	case <-time.After(killStragglersAfter):
	}
	s.ownR.Close()
	s.kidR.Close()
}

func (s *syslogger) restoreStdio() {
	if s.savedOut >= 0 {
		unix.Dup2(s.savedOut, 1)
		unix.Close(s.savedOut)
		s.savedOut = -1
	}
	if s.savedErr >= 0 {
		unix.Dup2(s.savedErr, 2)
		unix.Close(s.savedErr)
		s.savedErr = -1
	}
}

func (s *syslogger) closePipes() {
	s.ownR.Close()
	s.kidR.Close()
	unix.Close(s.ownW)
	unix.Close(s.kidW)
}

// enqueue queues a record for the writer. For the children's pipe it
// waits while the queue is full (back-pressure); for the supervisor's,
// and once stop has begun, it drops instead.
func (s *syslogger) enqueue(dest int, data []byte, wait bool) {
	s.mu.Lock()
	for wait && !s.closing && s.queued+len(data) > maxLogQueue && s.queued > 0 {
		s.cond.Wait()
	}
	if s.queued+len(data) > maxLogQueue && s.queued > 0 {
		s.mu.Unlock()
		s.droppedInQueue.Add(1)
		return
	}
	s.queue = append(s.queue, logRecord{dest, data})
	s.queued += len(data)
	s.mu.Unlock()
	s.cond.Broadcast()
}

// read is one reader: it parses the chunk protocol out of r until EOF or
// the deadline set by stop.
func (s *syslogger) read(r *os.File, wait bool) {
	defer s.readersDone.Done()
	p := logParser{partial: map[uint32]*logRecord{}}
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			p.feed(buf[:n], func(dest int, data []byte) { s.enqueue(dest, data, wait) })
		}
		if err != nil {
			p.flush(func(dest int, data []byte) { s.enqueue(dest, data, wait) })
			return
		}
	}
}

// logParser takes the chunk protocol apart: chunks are put together per
// pid until the last one; anything that is not a chunk is stderr text.
type logParser struct {
	buf     []byte
	partial map[uint32]*logRecord
}

func validLogDest(d int) bool {
	return d == cshim.LogDestinationStderr || d == cshim.LogDestinationCSVLog || d == cshim.LogDestinationJSONLog
}

// feed parses data, calling emit for every complete record.
func (p *logParser) feed(data []byte, emit func(int, []byte)) {
	p.buf = append(p.buf, data...)
	for len(p.buf) > 0 {
		if p.buf[0] == 0 {
			if len(p.buf) < 2 || (p.buf[1] == 0 && len(p.buf) < logChunkHdr) {
				break // wait for the rest of the header
			}
			if p.buf[1] == 0 {
				n := int(p.buf[2]) | int(p.buf[3])<<8
				pid := uint32(p.buf[4]) | uint32(p.buf[5])<<8 | uint32(p.buf[6])<<16 | uint32(p.buf[7])<<24
				flags := int(p.buf[8])
				dest := flags &^ logChunkLast
				if n > 0 && n <= logChunkMax-logChunkHdr && validLogDest(dest) {
					if len(p.buf) < logChunkHdr+n {
						break
					}
					rec := p.partial[pid]
					if rec == nil {
						rec = &logRecord{dest: dest}
						p.partial[pid] = rec
					}
					rec.data = append(rec.data, p.buf[logChunkHdr:logChunkHdr+n]...)
					if flags&logChunkLast != 0 {
						emit(rec.dest, rec.data)
						delete(p.partial, pid)
					}
					p.buf = p.buf[logChunkHdr+n:]
					continue
				}
			}
			// Not a chunk: the zero byte is text.
			emit(cshim.LogDestinationStderr, []byte{p.buf[0]})
			p.buf = p.buf[1:]
			continue
		}
		i := bytes.IndexByte(p.buf, 0)
		if i < 0 {
			i = len(p.buf)
		}
		emit(cshim.LogDestinationStderr, append([]byte(nil), p.buf[:i]...))
		p.buf = p.buf[i:]
	}
	if len(p.buf) == 0 {
		p.buf = nil
	} else {
		p.buf = append([]byte(nil), p.buf...)
	}
}

// flush emits what is left at the end of the stream: unfinished records
// and bytes that never became a chunk, so that nothing is lost.
func (p *logParser) flush(emit func(int, []byte)) {
	for pid, rec := range p.partial {
		emit(rec.dest, rec.data)
		delete(p.partial, pid)
	}
	if len(p.buf) > 0 {
		emit(cshim.LogDestinationStderr, p.buf)
		p.buf = nil
	}
}

// write is the writer: it owns the files.
func (s *syslogger) write(cfg logConfig, files map[int]*logFile) {
	defer close(s.writerDone)
	defer closeLogFiles(files)
	nextAge := nextRotation(cfg.age, time.Now())
	var timer *time.Timer
	armTimer := func() {
		if timer != nil {
			timer.Stop()
		}
		if !nextAge.IsZero() {
			timer = time.AfterFunc(time.Until(nextAge), func() { s.cond.Broadcast() })
		}
	}
	armTimer()
	var lostReported uint64
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && s.cfg == nil && !s.rotateRq && !s.stopping &&
			(nextAge.IsZero() || time.Now().Before(nextAge)) {
			s.cond.Wait()
		}
		batch := s.queue
		s.queue = nil
		s.queued = 0
		newCfg, rotateRq, stopping := s.cfg, s.rotateRq, s.stopping
		s.cfg, s.rotateRq = nil, false
		s.mu.Unlock()
		s.cond.Broadcast() // a reader waiting for room

		now := time.Now()
		switch {
		case newCfg != nil:
			moved := newCfg.dir != cfg.dir || newCfg.filename != cfg.filename
			cfg = *newCfg
			nextAge = nextRotation(cfg.age, now)
			armTimer()
			if moved || rotateRq {
				s.rotateFiles(&cfg, files, now, false)
			} else {
				s.openFiles(&cfg, files, now, false) // a destination added
			}
		case rotateRq:
			s.rotateFiles(&cfg, files, now, false)
		case !nextAge.IsZero() && !now.Before(nextAge):
			nextAge = nextRotation(cfg.age, now)
			armTimer()
			s.rotateFiles(&cfg, files, now, true)
		}
		for _, rec := range batch {
			f := files[rec.dest]
			if f == nil {
				s.openFiles(&cfg, files, now, false)
				if f = files[rec.dest]; f == nil {
					f = files[cshim.LogDestinationStderr]
				}
			}
			if f == nil {
				continue
			}
			n, _ := f.f.Write(rec.data)
			f.size += int64(n)
			if cfg.size > 0 && f.size >= cfg.size {
				s.rotateFiles(&cfg, files, time.Now(), false)
			}
		}
		if lost := s.droppedInQueue.Load(); lost != lostReported && files[cshim.LogDestinationStderr] != nil {
			f := files[cshim.LogDestinationStderr]
			line := fmt.Sprintf("%s [%d] LOG:  %d log records of the supervisor were dropped because the logging collector could not keep up\n",
				time.Now().Format("2006-01-02 15:04:05.000 MST"), os.Getpid(), lost-lostReported)
			n, _ := f.f.WriteString(line)
			f.size += int64(n)
			lostReported = lost
		}
		if stopping {
			s.mu.Lock()
			empty := len(s.queue) == 0
			s.mu.Unlock()
			if empty {
				return
			}
		}
	}
}

// nextRotation is the next multiple of age in local time after now, as
// PostgreSQL schedules log_rotation_age; zero when age is 0.
func nextRotation(age time.Duration, now time.Time) time.Time {
	if age <= 0 {
		return time.Time{}
	}
	_, off := now.Zone()
	local := now.Unix() + int64(off)
	sec := int64(age / time.Second)
	next := local - local%sec + sec
	return time.Unix(next-int64(off), 0)
}

// logFileName is the file name of a destination at t: log_filename
// through strftime, with ".csv" or ".json" instead of a final ".log" (or
// added) for csvlog and jsonlog, as PostgreSQL names them.
func logFileName(pattern string, dest int, t time.Time) string {
	name := strftime(pattern, t)
	var ext string
	switch dest {
	case cshim.LogDestinationCSVLog:
		ext = ".csv"
	case cshim.LogDestinationJSONLog:
		ext = ".json"
	default:
		return name
	}
	return strings.TrimSuffix(name, ".log") + ext
}

// openFiles opens the file of every configured destination not open yet
// (stderr always: what children print goes there).
func (s *syslogger) openFiles(cfg *logConfig, files map[int]*logFile, t time.Time, truncate bool) error {
	if err := os.MkdirAll(cfg.dir, 0o700); err != nil {
		return fatalf("could not create log directory \"%s\": %v", cfg.dir, errnoText(err))
	}
	changed := false
	for _, dest := range []int{cshim.LogDestinationStderr, cshim.LogDestinationCSVLog, cshim.LogDestinationJSONLog} {
		if files[dest] != nil || (dest != cshim.LogDestinationStderr && cfg.dests&dest == 0) {
			continue
		}
		name := logFileName(cfg.filename, dest, t)
		path := filepath.Join(cfg.dir, name)
		flags := os.O_WRONLY | os.O_CREATE | os.O_APPEND
		if truncate {
			flags |= os.O_TRUNC
		}
		f, err := os.OpenFile(path, flags, cfg.mode)
		if err != nil {
			return fatalf("could not open log file \"%s\": %v", path, errnoText(err))
		}
		f.Chmod(cfg.mode)
		st, _ := f.Stat()
		lf := &logFile{f: f, name: name}
		if st != nil {
			lf.size = st.Size()
		}
		files[dest] = lf
		changed = true
	}
	if changed {
		s.writeCurrentLogfiles(cfg, files)
	}
	return nil
}

// rotateFiles closes every file and opens new ones. timeBased: a
// rotation for log_rotation_age, the only kind that truncates an old file
// of the same name (log_truncate_on_rotation), as in PostgreSQL.
func (s *syslogger) rotateFiles(cfg *logConfig, files map[int]*logFile, t time.Time, timeBased bool) {
	old := map[int]string{}
	for dest, f := range files {
		old[dest] = f.name
	}
	next := map[int]*logFile{}
	truncate := timeBased && cfg.truncate &&
		old[cshim.LogDestinationStderr] != logFileName(cfg.filename, cshim.LogDestinationStderr, t)
	if err := s.openFiles(cfg, next, t, truncate); err != nil {
		// Keep writing to the old files; say so in them.
		if f := files[cshim.LogDestinationStderr]; f != nil {
			fmt.Fprintf(f.f, "%s [%d] LOG:  %s\n", time.Now().Format("2006-01-02 15:04:05.000 MST"), os.Getpid(), err)
		}
		closeLogFiles(next)
		return
	}
	closeLogFiles(files)
	for k := range files {
		delete(files, k)
	}
	for k, v := range next {
		files[k] = v
	}
	s.writeCurrentLogfiles(cfg, files)
}

func closeLogFiles(files map[int]*logFile) {
	for _, f := range files {
		f.f.Close()
	}
}

// writeCurrentLogfiles records the current files, one line per
// destination ("stderr log/bgworker-....log"), replacing the file at once.
func (s *syslogger) writeCurrentLogfiles(cfg *logConfig, files map[int]*logFile) {
	var b strings.Builder
	for _, d := range []struct {
		dest int
		name string
	}{{cshim.LogDestinationStderr, "stderr"}, {cshim.LogDestinationCSVLog, "csvlog"}, {cshim.LogDestinationJSONLog, "jsonlog"}} {
		if f := files[d.dest]; f != nil {
			fmt.Fprintf(&b, "%s %s\n", d.name, filepath.Join(cfg.relDir, f.name))
		}
	}
	path := filepath.Join(s.dataDir, CurrentLogfiles)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err == nil {
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
		}
	}
}

// removeCurrentLogfiles removes current_logfiles (the collector is off).
func removeCurrentLogfiles(dataDir string) {
	if err := os.Remove(filepath.Join(dataDir, CurrentLogfiles)); err != nil && !errors.Is(err, os.ErrNotExist) {
		cshim.Log(cshim.LevelLog, fmt.Sprintf("could not remove file \"%s\": %v", CurrentLogfiles, errnoText(err)), "", "")
	}
}

// strftime formats t by a C strftime pattern: the conversions
// log_filename patterns use (%Y %m %d %H %M %S %j %y %b %B %a %A %e %p
// %Z %z %s %u %w %%); an unknown one is kept as written.
func strftime(pattern string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c != '%' || i+1 == len(pattern) {
			b.WriteByte(c)
			continue
		}
		i++
		switch pattern[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			fmt.Fprintf(&b, "%02d", (t.Hour()+11)%12+1)
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 's':
			fmt.Fprintf(&b, "%d", t.Unix())
		case 'u':
			fmt.Fprintf(&b, "%d", (int(t.Weekday())+6)%7+1)
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(pattern[i])
		}
	}
	return b.String()
}
