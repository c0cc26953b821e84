package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

type loadResult struct {
	n        int
	rps      float64
	p50, p99 time.Duration
	err      error
}

// load sends the workload's request from c keep-alive connections for d and
// reports throughput and latency percentiles. The first failed response ends
// the run with an error.
func load(ctx context.Context, url string, w workload, c int, d time.Duration) loadResult {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	transport := &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c, DisableCompression: true}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < c; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for ctx.Err() == nil {
				t0 := time.Now()
				status, body, err := request(client, url, w)
				if err == nil {
					err = w.check(status, body)
				}
				if err != nil {
					if ctx.Err() == nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
					}
					break
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	r := loadResult{n: len(lat), err: firstErr}
	if len(lat) == 0 {
		if r.err == nil {
			r.err = fmt.Errorf("no request completed")
		}
		return r
	}
	slices.Sort(lat)
	r.rps = float64(len(lat)) / elapsed.Seconds()
	r.p50 = lat[len(lat)/2]
	r.p99 = lat[len(lat)*99/100]
	return r
}

// cpuTime is the process's user+system CPU time from /proc (clock ticks of
// 10 ms on Linux).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// rssMiB is the process's resident set size.
func rssMiB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func printTable(out io.Writer, results map[string]map[string]*result, runtimes []string) {
	names := make([]string, 0, len(results))
	for n := range results {
		names = append(names, n)
	}
	order := []string{"hello", "echo", "hono", "sha256", "kv"}
	slices.SortFunc(names, func(a, b string) int { return slices.Index(order, a) - slices.Index(order, b) })

	fmt.Fprintf(out, "\n%s, GOMAXPROCS default, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), machine())
	header := "| workload | figure |"
	sep := "|---|---|"
	for _, rt := range runtimes {
		header += " " + rt + " |"
		sep += "---|"
	}
	for _, rt := range runtimes[1:] {
		header += " ferry/" + rt + " |"
		sep += "---|"
	}
	fmt.Fprintln(out, header)
	fmt.Fprintln(out, sep)
	type fig struct {
		name string
		get  func(*result) float64
		unit string
	}
	figs := []fig{
		{"cold start (ms)", func(r *result) float64 { return ms(r.cold) }, "%.1f"},
		// Ferry's development server bundles at every start; the others'
		// column repeats their cold start, for the ratio.
		{"cold start, ferry dev (ms)", func(r *result) float64 {
			if r.coldDev != 0 {
				return ms(r.coldDev)
			}
			return ms(r.cold)
		}, "%.1f"},
		{"req/s c=1", func(r *result) float64 { return r.rps1 }, "%.0f"},
		{"p50 c=1 (ms)", func(r *result) float64 { return ms(r.p50c1) }, "%.2f"},
		{"req/s c=32", func(r *result) float64 { return r.rps }, "%.0f"},
		{"p50 c=32 (ms)", func(r *result) float64 { return ms(r.p50) }, "%.2f"},
		{"p99 c=32 (ms)", func(r *result) float64 { return ms(r.p99) }, "%.2f"},
		{"CPU µs/req", func(r *result) float64 { return float64(r.cpuPerReq.Microseconds()) }, "%.0f"},
		{"RSS after warm-up (MiB)", func(r *result) float64 { return r.rssWarmMiB }, "%.1f"},
		{"RSS at end (MiB)", func(r *result) float64 { return r.rssMiB }, "%.1f"},
	}
	for _, n := range names {
		for _, f := range figs {
			row := "| " + n + " | " + f.name + " |"
			vals := map[string]float64{}
			for _, rt := range runtimes {
				r := results[n][rt]
				switch {
				case r == nil:
					row += " – |"
				case r.err != nil:
					row += " error |"
				default:
					vals[rt] = f.get(r)
					row += " " + fmt.Sprintf(f.unit, vals[rt]) + " |"
				}
			}
			for _, rt := range runtimes[1:] {
				fv, ok1 := vals[runtimes[0]]
				ov, ok2 := vals[rt]
				if ok1 && ok2 && ov != 0 {
					row += fmt.Sprintf(" %.2f |", fv/ov)
				} else {
					row += " – |"
				}
			}
			fmt.Fprintln(out, row)
		}
	}
	fmt.Fprintln(out, "\nferry: `ferry serve` on the output of `ferry build --target container` (static binary, pre-built bundle, embedded bindings);"+
		"\nthe \"ferry dev\" row is `ferry dev --no-watch` on the sources (bundles at start; other columns repeat their cold start)."+
		"\nnode and workerd: one ES module bundled beforehand. RSS at end: after the warm-up and both load runs; requests served by then:")
	for _, n := range names {
		var counts []string
		for _, rt := range runtimes {
			if r := results[n][rt]; r != nil && r.err == nil {
				counts = append(counts, fmt.Sprintf("%s %d", rt, r.requests))
			}
		}
		fmt.Fprintf(out, "  %s: %s\n", n, strings.Join(counts, ", "))
	}
	for _, n := range names {
		for _, rt := range runtimes {
			if r := results[n][rt]; r != nil && r.err != nil {
				fmt.Fprintf(out, "\n%s on %s failed: %v\n", n, rt, r.err)
			}
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func machine() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	model := ""
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "model name") {
			n++
			if model == "" {
				model = strings.TrimSpace(line[strings.IndexByte(line, ':')+1:])
			}
		}
	}
	return fmt.Sprintf("%d × %s", n, model)
}
