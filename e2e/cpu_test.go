package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// CPU accounting of the browser for measurements (Linux /proc; elsewhere the readings are empty).

// chromeRoot is the pid of the browser process started by setup (0 when unknown).
var chromeRoot int

// loadavg returns the first three fields of /proc/loadavg ("?" when unreadable).
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// cpuTimes is CPU seconds (user+system) per thread kind, "process type/thread name" with digits
// dropped from thread names (so the pool "ThreadPoolForeg" and "V8 DefaultWorke" threads add up).
type cpuTimes map[string]float64

var digits = regexp.MustCompile(`[0-9]+`)

// readCPU reads the CPU time of every thread of the browser and its descendants.
func readCPU() cpuTimes {
	out := cpuTimes{}
	if chromeRoot == 0 {
		return out
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	parent := map[int]int{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st := statFields(filepath.Join("/proc", e.Name(), "stat")); len(st) > 2 {
			parent[pid], _ = strconv.Atoi(st[1])
		}
	}
	in := func(pid int) bool {
		for range 10 {
			if pid == chromeRoot {
				return true
			}
			if pid = parent[pid]; pid <= 1 {
				return false
			}
		}
		return false
	}
	tick := 100.0 // USER_HZ on Linux
	for pid := range parent {
		if !in(pid) {
			continue
		}
		kind := procType(pid)
		tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		for _, t := range tasks {
			st := statFields(fmt.Sprintf("/proc/%d/task/%s/stat", pid, t.Name()))
			if len(st) < 14 {
				continue
			}
			ut, _ := strconv.ParseFloat(st[11], 64)
			sy, _ := strconv.ParseFloat(st[12], 64)
			comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/comm", pid, t.Name()))
			name := strings.TrimSpace(digits.ReplaceAllString(strings.TrimSpace(string(comm)), ""))
			out[kind+"/"+name] += (ut + sy) / tick
		}
	}
	return out
}

// machineBusy is the CPU seconds all cores have spent outside idle and iowait since boot (/proc/stat).
func machineBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	busy := 0.0
	for i, v := range f[1:] {
		if i == 3 || i == 4 || i >= 8 {
			continue
		}
		x, _ := strconv.ParseFloat(v, 64)
		busy += x
	}
	return busy / 100
}

// statFields returns the fields of a /proc stat file after the command name (state, ppid, ...).
func statFields(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(s[i+1:])
}

// procType is a Chromium process's --type (browser when none); renderers are told apart by pid.
func procType(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	// (Processes forked from the zygote rewrite their title: the arguments are then one string.)
	for _, a := range strings.FieldsFunc(string(b), func(r rune) bool { return r == 0 || r == ' ' }) {
		if t, ok := strings.CutPrefix(a, "--type="); ok {
			if t == "renderer" {
				return fmt.Sprintf("renderer[%d]", pid)
			}
			return t
		}
	}
	return "browser"
}

// sub returns c - before per kind.
func (c cpuTimes) sub(before cpuTimes) cpuTimes {
	out := cpuTimes{}
	for k, v := range c {
		if d := v - before[k]; d > 0.005 {
			out[k] = d
		}
	}
	return out
}

func (c cpuTimes) total() float64 {
	s := 0.0
	for _, v := range c {
		s += v
	}
	return s
}

// top formats the n largest kinds, e.g. "renderer[123]/DedicatedWorker 7.41 s, gpu-process/CrGpuMain 1.20 s".
func (c cpuTimes) top(n int) string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c[a] > c[b] {
			return -1
		}
		if c[a] < c[b] {
			return 1
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, k := range keys[:min(n, len(keys))] {
		parts = append(parts, fmt.Sprintf("%s %.2f s", k, c[k]))
	}
	return strings.Join(parts, ", ")
}
