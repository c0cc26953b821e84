// Command streams measures streaming bodies in Ferry, as issue 4 asks: the
// server's RSS while a Worker proxies a 1 GiB upstream response to a client
// and while it gzips a 200 MiB stream (target: under 64 MiB above idle), and
// how late server-sent events reach a client (one event per 100 ms; target:
// within 20 ms of the write).
//
//	go run ./bench/streams [-proxy 1024] [-gzip 200] [-events 50]
//
// It builds `ferry`, runs `ferry dev bench/streams/worker` as its own process
// (so its RSS is Ferry's alone), serves the upstream bytes from this process
// on 127.0.0.1, reads the responses here, and samples the server's VmRSS
// from /proc every 10 ms (Linux). Figures vary with the machine's load: it
// prints them, it does not judge them.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

func main() {
	proxyMiB := flag.Int("proxy", 1024, "MiB to proxy")
	gzipMiB := flag.Int("gzip", 200, "MiB to gzip")
	events := flag.Int("events", 50, "server-sent events to time")
	ferryBin := flag.String("ferry", "", "ferry binary (default: build ./cmd/ferry)")
	flag.Parse()
	log.SetFlags(0)

	root, err := repoRoot()
	if err != nil {
		log.Fatal(err)
	}
	tmp, err := os.MkdirTemp("", "ferry-bench-streams")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if *ferryBin == "" {
		*ferryBin = filepath.Join(tmp, "ferry")
		build := exec.Command("go", "build", "-o", *ferryBin, "./cmd/ferry")
		build.Dir, build.Stderr = root, os.Stderr
		if err := build.Run(); err != nil {
			log.Fatalf("building ferry: %v", err)
		}
	}

	up := upstream()
	defer up.Close()
	base, srv := startFerry(*ferryBin, filepath.Join(root, "bench/streams/worker"))
	defer func() { _ = srv.Process.Kill(); _, _ = srv.Process.Wait() }()
	pid := srv.Process.Pid

	// Warm up, then take the idle figure.
	for i := 0; i < 5; i++ {
		mustGet(base + "/")
		mustRead(base+"/proxy?url="+up.URL+"/bytes?size=1048576", nil)
	}
	time.Sleep(500 * time.Millisecond)
	idle := rss(pid)
	fmt.Printf("ferry dev, idle after warm-up: RSS %s\n\n", mib(idle))

	fmt.Printf("%-38s %10s %12s %14s %12s\n", "case", "bytes", "time", "peak RSS", "above idle")
	measure := func(name, url string, check func(io.Reader) (int64, error)) {
		resetPeak(pid)
		stop := sample(pid)
		start := time.Now()
		n := mustRead(url, check)
		d := time.Since(start)
		peak := max(stop(), hwm(pid))
		fmt.Printf("%-38s %10s %12s %14s %12s   %.0f MiB/s\n", name, mib(n), d.Round(time.Millisecond), mib(peak), mib(peak-idle),
			float64(n)/(1<<20)/d.Seconds())
	}
	size := int64(*proxyMiB) << 20
	measure(fmt.Sprintf("proxy %d MiB (new Response(res.body))", *proxyMiB), fmt.Sprintf("%s/proxy?url=%s/bytes?size=%d", base, up.URL, size), nil)
	gsize := int64(*gzipMiB) << 20
	measure(fmt.Sprintf("gzip %d MiB (CompressionStream)", *gzipMiB), fmt.Sprintf("%s/gzip?url=%s/bytes?size=%d", base, up.URL, gsize), func(r io.Reader) (int64, error) {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return 0, err
		}
		n, err := io.Copy(io.Discard, zr)
		if err == nil && n != gsize {
			err = fmt.Errorf("gunzipped %d bytes, want %d", n, gsize)
		}
		return n, err
	})

	fmt.Printf("\nserver-sent events, one per 100 ms, %d events: write (Date.now in the Worker) to read (this client)\n", *events)
	lat := sseLatency(fmt.Sprintf("%s/sse?n=%d&interval=100", base, *events))
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("  p50 %v   p90 %v   max %v   (target: within 20 ms)\n", pct(0.5), pct(0.9), lat[len(lat)-1])
	fmt.Println("\n(the Worker's clock has millisecond resolution, so latencies under 1 ms read as 0-1 ms)")
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// upstream serves /bytes?size=N: N bytes of log-like text that compresses
// about as well as real logs, sent in 32 KiB writes.
func upstream() *server {
	rng := rand.New(rand.NewSource(1))
	var block bytes.Buffer
	for block.Len() < 1<<20 {
		fmt.Fprintf(&block, "%d %s request=%08x path=/api/v%d/items/%d status=%d bytes=%d\n",
			1700000000+rng.Intn(1e6), []string{"GET", "POST", "PUT"}[rng.Intn(3)], rng.Uint32(), rng.Intn(3), rng.Intn(1e5), []int{200, 201, 404, 500}[rng.Intn(4)], rng.Intn(1e6))
	}
	data := block.Bytes()[:1<<20]
	mux := http.NewServeMux()
	mux.HandleFunc("/bytes", func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.ParseInt(r.URL.Query().Get("size"), 10, 64)
		w.Header().Set("Content-Type", "text/plain")
		for off := int64(0); off < size; {
			n := min(int64(32<<10), size-off)
			start := off % int64(len(data))
			chunk := data[start:min(start+n, int64(len(data)))]
			if _, err := w.Write(chunk); err != nil {
				return
			}
			off += int64(len(chunk))
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	s := &http.Server{Handler: mux}
	go s.Serve(ln)
	return &server{URL: "http://" + ln.Addr().String(), s: s}
}

type server struct {
	URL string
	s   *http.Server
}

func (s *server) Close() { _ = s.s.Close() }

var readyRE = regexp.MustCompile(`ready on (http://\S+)`)

func startFerry(bin, dir string) (string, *exec.Cmd) {
	cmd := exec.Command(bin, "dev", dir, "--port", "0", "--no-watch", "--runtimes", "1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		log.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := readyRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			} else if strings.Contains(sc.Text(), "ERROR") {
				log.Printf("ferry: %s", sc.Text())
			}
		}
	}()
	select {
	case base := <-found:
		return base, cmd
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		log.Fatal("ferry dev did not start")
	}
	return "", nil
}

func mustGet(url string) {
	res, err := http.Get(url)
	if err != nil {
		log.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
}

var client = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// mustRead reads url to its end through check (default: count the bytes).
func mustRead(url string, check func(io.Reader) (int64, error)) int64 {
	res, err := client.Get(url)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		log.Fatalf("%s: %d %s", url, res.StatusCode, b)
	}
	if check == nil {
		check = func(r io.Reader) (int64, error) { return io.Copy(io.Discard, r) }
	}
	n, err := check(res.Body)
	if err != nil {
		log.Fatalf("%s: %v", url, err)
	}
	return n
}

// procStatus reads one kB field of /proc/PID/status, in bytes.
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func rss(pid int) int64 { return procStatus(pid, "VmRSS") }
func hwm(pid int) int64 { return procStatus(pid, "VmHWM") }

// resetPeak resets the kernel's peak RSS (VmHWM) for pid, where allowed.
func resetPeak(pid int) { _ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) }

// sample polls pid's RSS until the returned function is called, which
// returns the peak seen.
func sample(pid int) func() int64 {
	var peak atomic.Int64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if r := rss(pid); r > peak.Load() {
				peak.Store(r)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 { close(done); <-stopped; return peak.Load() }
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// sseLatency reads the event stream and returns, per event, how long after
// the Worker wrote it the client read it.
func sseLatency(url string) []time.Duration {
	res, err := client.Get(url)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	var out []time.Duration
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		now := time.Now()
		var e struct{ T int64 }
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			log.Fatal(err)
		}
		out = append(out, now.Sub(time.UnixMilli(e.T)))
	}
	if len(out) == 0 {
		log.Fatal("no events")
	}
	return out
}
