// call.go: a call's overhead (group "call"): the wall time of `bgworker
// call -D DIR mqbench_noop` against `psql -c 'SELECT mqbench_noop()'` on
// PostgreSQL 15, a new process each time, the two hosts in turn call by
// call; and the start of each client alone (`--version`), the part of
// that time no host can change.
package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

// callRounds is the number of timed calls per host and repetition.
const callRounds = 200

// callOverhead times callRounds calls per host per repetition, after 10
// untimed ones, and as many `--version` runs of each client.
func (b *bench) callOverhead(s *mqSetup) error {
	const warmup = 10
	wall := func(cmd *exec.Cmd) (float64, error) {
		t := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("%v: %v: %s", cmd.Args, err, out)
		}
		return float64(time.Since(t).Microseconds()) / 1000, nil
	}
	version := func(h host) *exec.Cmd {
		if h == host(s.bgw) {
			return exec.Command(s.bgw.bin, "--version")
		}
		return exec.Command(filepath.Join(s.pg.bin, "psql"), "--version")
	}
	for range b.reps {
		calls := map[host][]float64{}
		starts := map[host][]float64{}
		for i := range warmup + callRounds {
			for _, h := range s.hosts {
				ms, err := wall(s.mqCallCmd(h, "mqbench_noop"))
				if err != nil {
					return err
				}
				if i >= warmup {
					calls[h] = append(calls[h], ms)
				}
				if ms, err = wall(version(h)); err != nil {
					return err
				}
				if i >= warmup {
					starts[h] = append(starts[h], ms)
				}
			}
		}
		for _, h := range s.hosts {
			b.res.add("call of a function that returns at once, new client process: median", h, median(calls[h]))
			b.res.add("call of a function that returns at once, new client process: p99", h, callP99(calls[h]))
			b.res.add("process start of the client alone (`--version`): median", h, median(starts[h]))
		}
	}
	return nil
}

// callP99 is the 99th percentile (nearest rank) of v.
func callP99(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[min(len(s)*99/100, len(s)-1)]
}
