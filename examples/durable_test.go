package examples_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-run/ferry/internal/cli"
)

func post(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Post(url, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestDurableCounter runs examples/durable-counter through `ferry dev`:
// increments over RPC, reads through the object's fetch, 50 concurrent
// increments serialised by the object, an error thrown in the object seen by
// the caller, an alarm that fires, and state and a pending alarm that
// survive a restart.
func TestDurableCounter(t *testing.T) {
	state := t.TempDir()
	type alarm struct {
		Due    *float64 `json:"due"`
		Resets int      `json:"resets"`
	}
	t.Run("first run", func(t *testing.T) {
		base, logs := startDev(t, "durable-counter", "--persist-to", state, "--no-watch")
		for i := 1; i <= 3; i++ {
			if code, body := post(t, base+"/counter/a/increment"); code != 200 || body != fmt.Sprintf(`{"value":%d}`, i) {
				t.Fatalf("increment %d: %d %s", i, code, body)
			}
		}
		if code, body := post(t, base+"/counter/a/increment?by=1.5"); code != 400 || body != `{"error":"RangeError: by must be an integer, got 1.5"}` {
			t.Errorf("an error thrown in the object: %d %s", code, body)
		}
		var v struct {
			Name  string `json:"name"`
			Value int    `json:"value"`
		}
		getJSON(t, base+"/counter/a", &v)
		if v.Name != "a" || v.Value != 3 {
			t.Fatalf("GET /counter/a = %+v; want a = 3", v)
		}

		// 50 parallel increments of one counter: 50 distinct values.
		const n = 50
		values := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, body := post(t, base+"/counter/race/increment")
				var r struct{ Value int }
				if code != 200 || json.Unmarshal([]byte(body), &r) != nil {
					t.Errorf("concurrent increment: %d %s", code, body)
				}
				values[i] = r.Value
			}()
		}
		wg.Wait()
		seen := map[int]bool{}
		for _, x := range values {
			if x < 1 || x > n || seen[x] {
				t.Fatalf("concurrent increments returned %v; want each of 1..%d once", values, n)
			}
			seen[x] = true
		}

		// An alarm resets the counter shortly.
		var due struct{ Due float64 }
		_, body := post(t, base+"/counter/a/reset?in=200")
		if err := json.Unmarshal([]byte(body), &due); err != nil || due.Due < float64(time.Now().Add(-time.Second).UnixMilli()) {
			t.Fatalf("reset: %s", body)
		}
		var st alarm
		if !waitUntil(10*time.Second, func() bool { getJSON(t, base+"/counter/a/alarm", &st); return st.Resets == 1 }) {
			t.Fatalf("the alarm did not fire: %+v\n%s", st, logs.String())
		}
		if st.Due != nil {
			t.Errorf("the alarm is still due after firing: %v", *st.Due)
		}
		getJSON(t, base+"/counter/a", &v)
		if v.Value != 0 {
			t.Fatalf("after the alarm the counter is %d; want 0", v.Value)
		}
		post(t, base+"/counter/a/increment?by=7")
		// Pending when the server stops.
		post(t, base+"/counter/later/reset?in=1500")
	})
	t.Run("after a restart", func(t *testing.T) {
		base, logs := startDev(t, "durable-counter", "--persist-to", state, "--no-watch")
		if code, body := post(t, base+"/counter/a/increment"); code != 200 || body != `{"value":8}` {
			t.Fatalf("increment after a restart: %d %s", code, body)
		}
		if code, body := post(t, base+"/counter/race/increment"); code != 200 || body != `{"value":51}` {
			t.Fatalf("race counter after a restart: %d %s", code, body)
		}
		var st alarm
		if !waitUntil(10*time.Second, func() bool { getJSON(t, base+"/counter/later/alarm", &st); return st.Resets == 1 }) {
			t.Fatalf("an alarm set before the restart did not fire: %+v\n%s", st, logs.String())
		}
	})
}

// TestServiceBindings runs examples/services: the gateway Worker calls the
// auth Worker (fetch, RPC on its default export and on a named entrypoint),
// both in one `ferry dev`; without auth, ferry dev refuses to start.
func TestServiceBindings(t *testing.T) {
	base, _ := startDev(t, "services/gateway", "-c", "services/auth/wrangler.toml", "--no-watch", "--no-persist")
	if res, body := get(t, base+"/hello?user=ada"); res.StatusCode != 200 || body != "hello ada from auth" {
		t.Errorf("/hello: %d %q", res.StatusCode, body)
	}
	if res, body := get(t, base+"/hello"); res.StatusCode != 401 || body != "who are you?" {
		t.Errorf("/hello without a user: %d %q", res.StatusCode, body)
	}
	if res, body := get(t, base+"/sum?a=2&b=40"); body != `{"sum":42}` {
		t.Errorf("/sum: %d %q", res.StatusCode, body)
	}
	var tok struct{ Token string }
	getJSON(t, base+"/token?user=ada", &tok)
	if len(tok.Token) != 16 {
		t.Fatalf("token = %q", tok.Token)
	}
	if res, body := get(t, base+"/verify?user=ada&token="+tok.Token); res.StatusCode != 200 || body != `{"user":"ada","ok":true}` {
		t.Errorf("verify: %d %q", res.StatusCode, body)
	}
	if res, body := get(t, base+"/verify?user=bob&token="+tok.Token); res.StatusCode != 403 || body != `{"error":"bad token for bob"}` {
		t.Errorf("verify with another user's token: %d %q", res.StatusCode, body)
	}

	var errs strings.Builder
	wd, _ := os.Getwd()
	code := cli.Main(&cli.State{Args: []string{"dev", "services/gateway", "--port", "0", "--no-watch", "--no-persist"}, Stdout: io.Discard, Stderr: &errs,
		Getenv: func(string) string { return "" }, Getwd: func() (string, error) { return wd, nil }, Ctx: context.Background()})
	if code == 0 || !strings.Contains(errs.String(), `services binding AUTH: service "auth" is not running here; run it alongside with -c`) {
		t.Errorf("ferry dev without the auth Worker: exit %d\n%s", code, errs.String())
	}
}
