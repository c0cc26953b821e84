package examples_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferry-run/ferry/internal/testutil"
)

type processed map[string]struct{ Attempts, Batch int }

func enqueue(t *testing.T, base, jobs string) {
	t.Helper()
	res, err := http.Post(base+"/enqueue", "application/json", strings.NewReader(jobs))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 202 {
		t.Fatalf("POST /enqueue = %d %s", res.StatusCode, body)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, body := get(t, url)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s = %d %s", url, res.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v: %s", url, err, body)
	}
}

// waitUntil polls cond for up to limit.
func waitUntil(limit time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestQueues runs examples/queues through `ferry dev`: jobs go through the
// producer, the consumer batches them, retries a flaky one, and moves a
// poisoned one to the dead-letter queue after max_retries, where the
// dead-letter consumer records it.
func TestQueues(t *testing.T) {
	base, logs := startDev(t, "queues", "--persist-to", t.TempDir(), "--no-watch")
	enqueue(t, base, `[{"id":"a"},{"id":"b"},{"id":"flaky","failTimes":1},{"id":"poison","poison":true}]`)
	enqueue(t, base, `{"id":"single","delaySeconds":1}`)

	var done processed
	var dead []string
	if !waitUntil(15*time.Second, func() bool {
		getJSON(t, base+"/processed", &done)
		getJSON(t, base+"/dead", &dead)
		// The batch line is logged after the acks, which come after the
		// handler recorded its result: wait for it too.
		return len(done) == 4 && len(dead) == 1 && strings.Contains(logs.String(), "QUEUE jobs-dlq 1/1")
	}) {
		t.Fatalf("processed %v, dead %v\nlog:\n%s", done, dead, logs)
	}
	for id, want := range map[string]int{"a": 1, "b": 1, "flaky": 2, "single": 1} {
		if done[id].Attempts != want {
			t.Errorf("job %s done on attempt %d, want %d", id, done[id].Attempts, want)
		}
	}
	if !slices.Equal(dead, []string{"poison"}) {
		t.Errorf("dead = %v", dead)
	}
	out := logs.String()
	for _, want := range []string{
		"ferry: queue consumers: jobs (batches of up to 5, 1s), jobs-dlq (batches of up to 10, 0s)",
		"job poison failed on attempt 3; retrying",
		`to dead letter queue "jobs-dlq" after 3 failed attempts`,
		"job poison gave up after its retries",
		"QUEUE jobs-dlq 1/1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "failed on attempt 4") {
		t.Errorf("a job was delivered more than max_retries+1 times:\n%s", out)
	}
}

// TestQueuesSurviveKill9 is the crash test: a real `ferry dev` process is
// killed with SIGKILL while a batch is half processed; the restarted process
// delivers every unacked message again and loses none, including one sent
// just before the kill.
func TestQueuesSurviveKill9(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL and flock are Unix")
	}
	bin := buildFerry(t)
	state := t.TempDir()

	base, stop := startFerryProcess(t, bin, state)
	// One batch of five (max_batch_size) starts with the slow job: the
	// handler records that it started, then works for 30 s. The rest wait.
	jobs := []string{`{"id":"slow","slowMs":30000}`}
	for i := 1; i <= 9; i++ {
		jobs = append(jobs, fmt.Sprintf(`{"id":"j%d"}`, i))
	}
	enqueue(t, base, "["+strings.Join(jobs, ",")+"]")
	var started []string
	if !waitUntil(10*time.Second, func() bool { getJSON(t, base+"/started", &started); return len(started) > 0 }) {
		t.Fatal("the consumer never started the slow job")
	}
	enqueue(t, base, `{"id":"late"}`)
	var done processed
	getJSON(t, base+"/processed", &done)
	if len(done) != 0 || !slices.Equal(started, []string{"slow"}) {
		t.Fatalf("before the kill: started %v, processed %v; want only the slow job started", started, done)
	}
	stop() // kill -9 mid-batch

	base, _ = startFerryProcess(t, bin, state)
	if !waitUntil(15*time.Second, func() bool { getJSON(t, base+"/processed", &done); return len(done) == 11 }) {
		t.Fatalf("after the restart only %d of 11 jobs were processed: %v", len(done), done)
	}
	// The batch in flight (slow, j1..j4) comes back as a second attempt; the
	// jobs that were never delivered come once.
	for id, d := range done {
		want := 1
		if id == "slow" || id == "j1" || id == "j2" || id == "j3" || id == "j4" {
			want = 2
		}
		if d.Attempts != want {
			t.Errorf("job %s processed on attempt %d, want %d", id, d.Attempts, want)
		}
	}
	var dead []string
	if getJSON(t, base+"/dead", &dead); len(dead) != 0 {
		t.Errorf("dead = %v", dead)
	}
}

// buildFerry builds the ferry binary for tests that need a real process.
func buildFerry(t *testing.T) string {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		gobin = "go"
	}
	bin := filepath.Join(t.TempDir(), "ferry")
	cmd := exec.Command(gobin, "build", "-o", bin, "github.com/ferry-run/ferry/cmd/ferry")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building ferry: %v\n%s", err, out)
	}
	return bin
}

// startFerryProcess runs `ferry dev queues` as a child process on a free
// port with state in state, and returns its base URL and a func that kills it
// with SIGKILL (also called when the test ends).
func startFerryProcess(t *testing.T, bin, state string) (string, func()) {
	t.Helper()
	cmd := exec.Command(bin, "dev", "queues", "--port", "0", "--persist-to", state, "--no-watch", "--log-level", "info")
	logs := &testutil.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	stop := func() {
		if !killed {
			killed = true
			_ = cmd.Process.Kill() // SIGKILL: no clean-up runs
			_ = cmd.Wait()
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("ferry dev log:\n%s", logs)
		}
	})
	const readyLine = "ferry: ready on "
	var addr string
	if !waitUntil(30*time.Second, func() bool {
		out := logs.String()
		if i := strings.Index(out, readyLine); i >= 0 {
			addr, _, _ = strings.Cut(out[i+len(readyLine):], "\n")
			return true
		}
		return false
	}) {
		stop()
		t.Fatalf("ferry dev did not start:\n%s", logs)
	}
	return addr, stop
}
