// results.go: the results table (samples per scenario and column, medians
// with min and max, the ratio bgworker / PostgreSQL and the project's target
// for it, docs/design.md §8) and its renderings: a terminal table, Markdown
// and JSON.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

const (
	colBgw     = "bgworker"
	colPg      = "PostgreSQL"
	colPgNoSyn = "PostgreSQL fsync=off"
	colGoIdle  = "idle Go program"
)

// summary is the median, min and max of a column's samples.
type summary struct {
	Median  float64   `json:"median"`
	Min     float64   `json:"min"`
	Max     float64   `json:"max"`
	Samples []float64 `json:"samples"`
}

// row is one scenario.
type row struct {
	Scenario string              `json:"scenario"`
	Unit     string              `json:"unit"`
	Target   string              `json:"target,omitempty"`
	Columns  map[string]*summary `json:"columns"`
	Ratio    *float64            `json:"ratio_bgworker_over_postgresql,omitempty"`
	Verdict  string              `json:"verdict,omitempty"`
	Error    string              `json:"error,omitempty"`
}

// results keeps rows in the order scenarios first report them.
type results struct {
	rows  []*row
	index map[string]*row
	churn *churnReport // the churn scenario's samples, for the JSON
}

func newResults() *results { return &results{index: map[string]*row{}} }

func (r *results) row(key string) *row {
	if x, ok := r.index[key]; ok {
		return x
	}
	x := &row{Scenario: key, Unit: unitFor(key), Target: targetFor(key), Columns: map[string]*summary{}}
	r.index[key] = x
	r.rows = append(r.rows, x)
	return x
}

func (r *results) addCol(key, col string, v float64) {
	x := r.row(key)
	if math.IsNaN(v) {
		return
	}
	s, ok := x.Columns[col]
	if !ok {
		s = &summary{}
		x.Columns[col] = s
	}
	s.Samples = append(s.Samples, v)
}

// add records a sample of h's own column.
func (r *results) add(key string, h host, v float64) { r.addCol(key, h.name(), v) }

// addAs records a sample in a column named label (or h's name if empty).
func (r *results) addAs(key string, h host, label string, v float64) {
	if label == "" {
		label = h.name()
	}
	r.addCol(key, label, v)
}

// addRef records a sample of the idle Go program.
func (r *results) addRef(key string, v float64) { r.addCol(key, colGoIdle, v) }

// fail notes that a scenario could not be measured on a host.
func (r *results) fail(key string, h host, err error) {
	x := r.row(key)
	msg := strings.SplitN(err.Error(), "\n", 2)[0]
	x.Error = strings.TrimPrefix(x.Error+"; ", "; ") + h.name() + ": " + msg
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// finish computes summaries, ratios and verdicts.
func (r *results) finish() {
	for _, x := range r.rows {
		for c, s := range x.Columns {
			if len(s.Samples) == 0 {
				delete(x.Columns, c)
				continue
			}
			s.Median = median(s.Samples)
			s.Min = slices.Min(s.Samples)
			s.Max = slices.Max(s.Samples)
		}
		b, okb := x.Columns[colBgw]
		p, okp := x.Columns[colPg]
		if okb && okp && p.Median > 0 {
			ratio := b.Median / p.Median
			x.Ratio = &ratio
		}
		x.Verdict = verdict(x, r)
	}
}

func unitFor(key string) string {
	if u, ok := mqUnit(key); ok {
		return u
	}
	if u := dbUnit(key); u != "" {
		return u
	}
	switch {
	case strings.HasPrefix(key, "memory"), strings.HasPrefix(key, "churn"):
		return "kB"
	case strings.Contains(key, "wake-ups"):
		return "/min"
	case strings.Contains(key, "supervisor CPU"):
		return "ms/min"
	case strings.Contains(key, "size of one scrape"):
		return "kB"
	case strings.HasSuffix(key, "log written, MB/s"):
		return "MB/s"
	case strings.Contains(key, "ping-pong"):
		return "µs"
	}
	return "ms"
}

func targetFor(key string) string {
	if t, ok := mqTarget(key); ok {
		return t
	}
	if t := dbTarget(key); t != "" {
		return t
	}
	switch {
	case strings.HasPrefix(key, "churn") && strings.HasSuffix(key, "growth"):
		return "flat"
	case strings.HasPrefix(key, "churn"):
		return "report"
	case key == "launch → all running, N = 500":
		return "≤ 0.5"
	case key == "launch → all running, N = 5000":
		return "≤ 12 × N = 500"
	case strings.HasPrefix(key, "exit 1"):
		return "1000 ± 5 ms"
	case strings.HasPrefix(key, "crash"):
		return "≤ 0.25"
	case strings.Contains(key, "shutdown"):
		return "≤ 1"
	case key == "latch ping-pong, mean round trip":
		return "≤ 0.5"
	case key == "dynamic: register → started":
		return "≤ 0.3"
	case strings.HasPrefix(key, "dynamic"):
		return "≤ 0.5"
	case key == "memory N = 100: PSS per worker", key == "memory N = 100: supervisor PSS":
		return "≤ 1"
	case strings.Contains(key, "SIGKILL"):
		return "≤ 1"
	case strings.HasPrefix(key, "supervisor wake-ups"):
		return "≈ idle Go program"
	case strings.Contains(key, "status"), strings.HasPrefix(key, "metrics"):
		return "report"
	}
	return ""
}

// verdict says whether bgworker's median meets the target, where the
// target is a number; figures only, nothing fails on it.
func verdict(x *row, r *results) string {
	b, ok := x.Columns[colBgw]
	if !ok {
		return ""
	}
	var limit float64
	switch {
	case x.Target == "1000 ± 5 ms":
		return metOr(math.Abs(b.Median-1000) <= 5)
	case x.Target == "≤ 12 × N = 500":
		base, ok := r.index["launch → all running, N = 500"]
		if !ok || base.Columns[colBgw] == nil {
			return ""
		}
		return metOr(b.Median <= 12*base.Columns[colBgw].Median)
	case x.Target == "≈ idle Go program":
		g, ok := x.Columns[colGoIdle]
		if !ok {
			return ""
		}
		// A few wake-ups a minute of slack: sysmon and the GC's forced
		// cycle every two minutes make the reference itself jitter.
		return metOr(b.Median <= g.Median+10)
	case strings.HasPrefix(x.Target, "≥ "):
		// a rate: bgworker's must reach the ratio
		if _, err := fmt.Sscanf(x.Target, "≥ %g", &limit); err != nil || x.Ratio == nil {
			return ""
		}
		return metOr(*x.Ratio >= limit)
	case strings.HasPrefix(x.Target, "≤ "):
		if _, err := fmt.Sscanf(x.Target, "≤ %g", &limit); err != nil || x.Ratio == nil {
			return ""
		}
		return metOr(*x.Ratio <= limit)
	case strings.HasPrefix(x.Target, "≥ "):
		if _, err := fmt.Sscanf(x.Target, "≥ %g", &limit); err != nil || x.Ratio == nil {
			return ""
		}
		return metOr(*x.Ratio >= limit)
	}
	return ""
}

func metOr(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

func fmtNum(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func fmtCell(s *summary) string {
	if s == nil {
		return ""
	}
	if len(s.Samples) == 1 {
		return fmtNum(s.Median)
	}
	return fmt.Sprintf("%s (%s–%s)", fmtNum(s.Median), fmtNum(s.Min), fmtNum(s.Max))
}

// columns lists the columns present, in a fixed order.
func (r *results) columns() []string {
	var cols []string
	for _, c := range []string{colBgw, colPg, colPgNoSyn, colGoIdle} {
		for _, x := range r.rows {
			if _, ok := x.Columns[c]; ok {
				cols = append(cols, c)
				break
			}
		}
	}
	return cols
}

// markdown writes the table as Markdown.
func (r *results) markdown(w io.Writer) {
	cols := r.columns()
	head := append([]string{"scenario", "unit"}, cols...)
	head = append(head, "ratio", "target", "verdict")
	fmt.Fprintf(w, "| %s |\n", strings.Join(head, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat(" --- |", len(head)))
	for _, x := range r.rows {
		cells := []string{x.Scenario, x.Unit}
		for _, c := range cols {
			cells = append(cells, fmtCell(x.Columns[c]))
		}
		ratio := ""
		if x.Ratio != nil {
			ratio = fmt.Sprintf("%.2f", *x.Ratio)
		}
		v := x.Verdict
		if x.Error != "" {
			v = strings.TrimSpace(v + " error: " + x.Error)
		}
		cells = append(cells, ratio, x.Target, v)
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
}

// text writes the table for a terminal.
func (r *results) text(w io.Writer) {
	cols := r.columns()
	head := append([]string{"scenario", "unit"}, cols...)
	head = append(head, "ratio", "target", "verdict")
	table := [][]string{head}
	for _, x := range r.rows {
		cells := []string{x.Scenario, x.Unit}
		for _, c := range cols {
			cells = append(cells, fmtCell(x.Columns[c]))
		}
		ratio := ""
		if x.Ratio != nil {
			ratio = fmt.Sprintf("%.2f", *x.Ratio)
		}
		v := x.Verdict
		if x.Error != "" {
			v = strings.TrimSpace(v + " ERROR: " + x.Error)
		}
		table = append(table, append(cells, ratio, x.Target, v))
	}
	widths := make([]int, len(head))
	for _, line := range table {
		for i, c := range line {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, line := range table {
		var b strings.Builder
		for i, c := range line {
			b.WriteString(c)
			if i < len(line)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// report is the JSON document.
type report struct {
	Machine     string `json:"machine"`
	Date        string `json:"date"`
	Repetitions int    `json:"repetitions"`
	Rows        []*row `json:"rows"`
	// Churn has every sample of the churn scenario, when it ran.
	Churn *churnReport `json:"churn,omitempty"`
}

func (r *results) json(w io.Writer, machine, date string, reps int) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(report{Machine: machine, Date: date, Repetitions: reps, Rows: r.rows, Churn: r.churn})
}
