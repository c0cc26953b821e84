// Command harness benchmarks Ferry against Node.js and workerd on the same
// Worker modules, in one run on one machine, and prints a table of figures
// with the ratios Ferry/Node and Ferry/workerd.
//
//	go run ./bench/harness [-duration 5s] [-workloads hello,echo,hono] [-runtimes ferry,node,workerd]
//
// For each workload and runtime it measures: cold start (process exec → first
// 200, median of -cold runs), requests/s with p50/p99 latency at concurrency 1
// and 32 (a Go load generator on 127.0.0.1, keep-alive, fixed duration), CPU
// time per request (the server's utime+stime over the c=32 run), and RSS after
// the warm-up and after the runs. Servers bind 127.0.0.1 and are killed when
// the harness ends.
//
// Every runtime starts from a pre-built script: Node.js and workerd get one
// ES module bundled by the harness, Ferry the output of `ferry build --target
// container` (the static ferry serve binary it cross-compiles from this
// source tree, cmd/serve, with the bundle and manifest), served with `ferry
// serve BUILD/app` as the container image runs it, with the embedded
// bindings in BUILD/data. Ferry's development server, which bundles the
// sources with esbuild at every start, gets its own cold-start row (`ferry
// dev --no-watch`).
//
// The machine is noisy: compare figures from one run, never across runs.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/evanw/esbuild/pkg/api"
)

type workload struct {
	name   string
	entry  string // relative to the repo root
	method string
	path   string
	body   []byte
	ctype  string
	check  func(status int, body []byte) error
	needs  []string // globals a runtime must have (skip the workload on Ferry otherwise)
}

func workloads(root string) []workload {
	echoBody := bytes.Repeat([]byte(`{"k":"0123456789abcdef","n":[1,2,3,4,5,6,7,8,9,10],"ok":true},`), 64)
	echoBody = append(append([]byte(`{"items":[`), echoBody[:len(echoBody)-1]...), []byte(`]}`)...)
	blob := bytes.Repeat([]byte("abcdefghijklmnop"), 4096) // 64 KiB
	ok := func(want string) func(int, []byte) error {
		return func(status int, body []byte) error {
			if status != 200 || (want != "" && !bytes.Contains(body, []byte(want))) {
				return fmt.Errorf("status %d body %.80q", status, body)
			}
			return nil
		}
	}
	return []workload{
		{name: "hello", entry: "bench/workloads/hello.js", method: "GET", path: "/", check: ok("Hello World")},
		{name: "echo", entry: "bench/workloads/echo.js", method: "POST", path: "/", body: echoBody, ctype: "application/json", check: ok(`"items"`)},
		{name: "hono", entry: "examples/hono/src/index.ts", method: "GET", path: "/api/hello/bench", check: ok("Hello, bench!")},
		{name: "sha256", entry: "bench/workloads/sha256.js", method: "POST", path: "/", body: blob, ctype: "application/octet-stream", check: ok(""), needs: []string{"crypto.subtle"}},
	}
}

type result struct {
	cold       time.Duration
	coldDev    time.Duration // ferry dev --no-watch (Ferry only)
	rps1, rps  float64
	p50, p99   time.Duration // at c=32
	p50c1      time.Duration
	cpuPerReq  time.Duration
	rssWarmMiB float64 // after the warm-up
	rssMiB     float64 // after every run
	requests   int     // served before the last RSS reading
	err        error
	skipped    string
	requests32 int
}

func main() {
	duration := flag.Duration("duration", 5*time.Second, "length of each load run")
	coldRuns := flag.Int("cold", 10, "cold starts per runtime and workload (median)")
	only := flag.String("workloads", "", "comma-separated workloads (default all)")
	runtimesFlag := flag.String("runtimes", "ferry,node,workerd", "runtimes to compare")
	flag.Parse()
	log.SetFlags(0)

	root, err := repoRoot()
	if err != nil {
		log.Fatal(err)
	}
	work, err := os.MkdirTemp("", "ferry-bench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)

	ferryBin := filepath.Join(work, "ferry")
	log.Printf("building ferry...")
	// As ferry build cross-compiles the binary of a container image or a
	// Lambda package: static, without symbol tables.
	build := exec.Command("go", "build", "-ldflags", "-s -w", "-o", ferryBin, filepath.Join(root, "cmd", "ferry"))
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		log.Fatalf("building ferry: %v\n%s", err, out)
	}
	log.Printf("installing peers (npm in bench/ and examples/hono)...")
	for _, dir := range []string{filepath.Join(root, "bench"), filepath.Join(root, "examples", "hono")} {
		if err := npmCI(dir); err != nil {
			log.Fatal(err)
		}
	}
	runtimes := strings.Split(*runtimesFlag, ",")
	results := map[string]map[string]*result{}
	for _, w := range workloads(root) {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), w.name) {
			continue
		}
		results[w.name] = map[string]*result{}
		bundle, err := bundleESM(root, w.entry, work)
		if err != nil {
			log.Fatalf("%s: bundling for node/workerd: %v", w.name, err)
		}
		for _, rt := range runtimes {
			var s server
			switch rt {
			case "ferry":
				if s, err = ferryServer(ferryBin, root, w, work); err != nil {
					log.Fatalf("%s: %v", w.name, err)
				}
			case "node":
				s = nodeServer(root, bundle)
			case "workerd":
				s = workerdServer(root, bundle, work)
			default:
				log.Fatalf("unknown runtime %q", rt)
			}
			log.Printf("%s on %s...", w.name, rt)
			res := measure(s, w, *coldRuns, *duration)
			results[w.name][rt] = res
			if res.err != nil {
				log.Printf("  %s/%s failed: %v", w.name, rt, res.err)
			}
		}
	}
	printTable(os.Stdout, results, runtimes)
}

func repoRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("finding the module root: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func npmCI(dir string) error {
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return err
	}
	if st, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil && !st.ModTime().Before(lock.ModTime()) {
		return nil
	}
	// npm install, not ci: npm 11 records only this platform's optional
	// packages (workerd's binaries) in the lockfile, and ci then refuses it.
	cmd := exec.Command("npm", "install", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm install in %s: %v\n%s", dir, err, out)
	}
	return nil
}

// bundleESM bundles the workload for Node and workerd: one ES module.
func bundleESM(root, entry, work string) (string, error) {
	out := filepath.Join(work, strings.NewReplacer("/", "_", ".", "_").Replace(entry)+".mjs")
	r := api.Build(api.BuildOptions{
		EntryPoints: []string{filepath.Join(root, entry)},
		Bundle:      true, Format: api.FormatESModule, Platform: api.PlatformBrowser,
		Conditions: []string{"workerd", "worker", "browser"}, Target: api.ES2022,
		Outfile: out, Write: true, LogLevel: api.LogLevelSilent,
	})
	if len(r.Errors) > 0 {
		return "", fmt.Errorf("%s", r.Errors[0].Text)
	}
	return out, nil
}

// server knows how to start one runtime serving the workload on a port.
type server struct {
	name  string
	start func(port int) *exec.Cmd
	dev   *server // Ferry: the development server, for its cold start
}

// ferryServer builds the workload for containers once (ferry build --target
// container) and serves the build with ferry serve; its dev field starts
// ferry dev --no-watch on the sources instead.
func ferryServer(bin, root string, w workload, work string) (server, error) {
	dir := filepath.Join(work, "ferry-"+w.name)
	_ = os.MkdirAll(dir, 0o755)
	entry := filepath.Join(root, w.entry)
	// examples/hono has its own config and node_modules: use the example dir.
	if strings.HasPrefix(w.entry, "examples/") {
		dir = filepath.Join(root, filepath.Dir(filepath.Dir(w.entry)))
		entry = ""
	}
	withEntry := func(args ...string) []string {
		if entry != "" {
			args = append(args, "--main", entry)
		}
		return args
	}
	out := filepath.Join(work, "container-"+w.name)
	// No --bootstrap: run from the source tree, ferry build cross-compiles
	// the image's binary (cmd/serve, without the AWS SDK for a Worker with
	// no AWS binding) as it does for users, and the serve figures are that
	// binary's.
	build := exec.Command(bin, withEntry("build", "--target", "container", dir, "--out", out)...)
	build.Dir = root
	if b, err := build.CombinedOutput(); err != nil {
		return server{}, fmt.Errorf("ferry build --target container: %v\n%s", err, b)
	}
	dev := &server{name: "ferry dev", start: func(port int) *exec.Cmd {
		return exec.Command(bin, withEntry("dev", dir, "--port", fmt.Sprint(port), "--no-watch", "--log-level", "error")...)
	}}
	return server{name: "ferry", dev: dev, start: func(port int) *exec.Cmd {
		return exec.Command(filepath.Join(out, "ferry"), "serve", filepath.Join(out, "app"), "--persist-to", filepath.Join(out, "data"),
			"--ip", "127.0.0.1", "--port", fmt.Sprint(port), "--log-level", "error")
	}}, nil
}

func nodeServer(root, bundle string) server {
	return server{name: "node", start: func(port int) *exec.Cmd {
		return exec.Command("node", filepath.Join(root, "bench", "node", "adapter.mjs"), bundle, fmt.Sprint(port))
	}}
}

func workerdServer(root, bundle, work string) server {
	return server{name: "workerd", start: func(port int) *exec.Cmd {
		cfg := filepath.Join(work, fmt.Sprintf("workerd-%d.capnp", port))
		conf := fmt.Sprintf(`using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:%d", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.mjs", esModule = embed %q) ],
  compatibilityDate = "2025-01-01",
);
`, port, filepath.Base(bundle)) // embed paths are relative to the config file
		_ = os.WriteFile(cfg, []byte(conf), 0o644)
		return exec.Command(filepath.Join(root, "bench", "node_modules", ".bin", "workerd"), "serve", cfg)
	}}
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// request sends the workload's request once.
func request(client *http.Client, url string, w workload) (int, []byte, error) {
	var body io.Reader
	if w.body != nil {
		body = bytes.NewReader(w.body)
	}
	req, err := http.NewRequest(w.method, url+w.path, body)
	if err != nil {
		return 0, nil, err
	}
	if w.ctype != "" {
		req.Header.Set("Content-Type", w.ctype)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// startAndWait starts the server and returns once it answers 200, with the
// time from exec to that answer.
func startAndWait(s server, w workload) (*exec.Cmd, string, time.Duration, error) {
	port := freePort()
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	cmd := s.start(port)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = io.Discard
	client := &http.Client{Timeout: 2 * time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, "", 0, err
	}
	deadline := start.Add(30 * time.Second)
	for time.Now().Before(deadline) {
		status, body, err := request(client, url, w)
		if err == nil {
			if cerr := w.check(status, body); cerr != nil {
				stop(cmd)
				return nil, "", 0, fmt.Errorf("first response: %v", cerr)
			}
			return cmd, url, time.Since(start), nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	stop(cmd)
	return nil, "", 0, fmt.Errorf("no answer within 30s; stderr:\n%s", stderr.String())
}

func stop(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Kill()
	_, _ = cmd.Process.Wait()
}

func measure(s server, w workload, coldRuns int, d time.Duration) *result {
	res := &result{}
	coldStart := func(s server) (time.Duration, error) {
		var colds []time.Duration
		for i := 0; i < coldRuns; i++ {
			cmd, _, took, err := startAndWait(s, w)
			stop(cmd)
			if err != nil {
				return 0, fmt.Errorf("%s: %w", s.name, err)
			}
			colds = append(colds, took)
		}
		return median(colds), nil
	}
	var err error
	if res.cold, err = coldStart(s); err != nil {
		res.err = err
		return res
	}
	if s.dev != nil {
		if res.coldDev, err = coldStart(*s.dev); err != nil {
			res.err = err
			return res
		}
	}

	cmd, url, _, err := startAndWait(s, w)
	if err != nil {
		res.err = err
		return res
	}
	defer stop(cmd)
	// Warm up, then measure at c=1 and c=32.
	warm := load(context.Background(), url, w, 8, d/2)
	res.rssWarmMiB = rssMiB(cmd.Process.Pid)
	l1 := load(context.Background(), url, w, 1, d)
	res.rps1, res.p50c1 = l1.rps, l1.p50
	cpu0 := cpuTime(cmd.Process.Pid)
	l32 := load(context.Background(), url, w, 32, d)
	cpu1 := cpuTime(cmd.Process.Pid)
	if l32.err != nil {
		res.err = l32.err
	}
	res.rps, res.p50, res.p99, res.requests32 = l32.rps, l32.p50, l32.p99, l32.n
	if l32.n > 0 {
		res.cpuPerReq = (cpu1 - cpu0) / time.Duration(l32.n)
	}
	res.rssMiB = rssMiB(cmd.Process.Pid)
	res.requests = 1 + warm.n + l1.n + l32.n
	return res
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
