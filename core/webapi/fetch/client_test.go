package fetch_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi"
	"github.com/ferry-run/ferry/core/webapi/fetch"
)

func upstream(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		fmt.Fprintf(w, `{"ua":%q,"method":%q}`, r.Header.Get("User-Agent"), r.Method)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Got-Type", r.Header.Get("Content-Type"))
		w.WriteHeader(201)
		w.Write(b)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/json", http.StatusFound)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// runJS runs src (which must set globalThis.result or throw) with fetch
// configured by opts and returns result as a string.
func runJS(t *testing.T, opts fetch.Options, base, src string) string {
	t.Helper()
	vm := goja.New()
	l := loop.New(vm)
	webapi.Install(l, webapi.Options{Fetch: opts})
	_ = vm.Set("BASE", base)
	s := loop.NewScope(0)
	var failure string
	s.OnError = func(err error) { failure = err.Error() }
	s.OnUnhandledRejection = func(v goja.Value) { failure = "unhandled: " + v.String() }
	l.RunTask(s, func(vm *goja.Runtime) error {
		_, err := vm.RunString(`(async () => {` + src + `})().then((v) => { globalThis.result = v }, (e) => { globalThis.result = "rejected " + e.name + ": " + e.message })`)
		return err
	})
	done := make(chan struct{})
	go func() { l.RunUntilIdle(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		l.Stop()
		<-done
		t.Fatal("script did not finish")
	}
	if failure != "" {
		t.Fatal(failure)
	}
	return vm.Get("result").String()
}

func TestFetch(t *testing.T) {
	srv := upstream(t)
	allow := fetch.Options{AllowPrivate: true}
	tests := []struct {
		name, src, want string
	}{
		{"get json, status, headers, immutable", `
			const r = await fetch(BASE + "/json");
			let immutable = false;
			try { r.headers.set("x", "y") } catch (e) { immutable = e instanceof TypeError }
			const j = await r.json();
			return [r.status, r.ok, r.statusText, r.headers.get("content-type"), r.headers.getSetCookie().join("|"), immutable, j.ua, j.method, r.redirected].join(" ")`,
			`200 true OK application/json a=1|b=2 true  GET false`},
		{"post body and headers", `
			const r = await fetch(BASE + "/echo", { method: "POST", body: "hello", headers: { "x-a": "1" } });
			return [r.status, r.headers.get("x-got-type"), await r.text()].join(" ")`,
			`201 text/plain;charset=UTF-8 hello`},
		{"Request object input", `
			const r = await fetch(new Request(BASE + "/echo", { method: "PUT", body: new Uint8Array([104, 105]) }));
			return await r.text()`, `hi`},
		{"redirect follow", `
			const r = await fetch(BASE + "/redirect");
			return [r.status, r.redirected, r.url.endsWith("/json")].join(" ")`, `200 true true`},
		{"redirect manual", `
			const r = await fetch(BASE + "/redirect", { redirect: "manual" });
			return [r.status, r.headers.get("location")].join(" ")`, `302 /json`},
		{"redirect error", `await fetch(BASE + "/redirect", { redirect: "error" })`, `rejected TypeError: Fetch API cannot load: ` + srv.URL + `/redirect: the response redirected and redirect mode is "error"`},
		{"proxy the body without reading it", `
			const up = await fetch(BASE + "/json");
			const r = new Response(up.body, up);
			r.headers.set("x-proxied", "yes");
			return [up.bodyUsed, r.headers.get("x-proxied"), (await r.json()).method].join(" ")`, `true yes GET`},
		{"unsupported scheme", `await fetch("ftp://example.com/")`, `rejected TypeError: Fetch API cannot load: ftp://example.com/ (only http: and https: URLs can be fetched)`},
		{"abort while waiting", `
			const listeners = [];
			const signal = { aborted: false, reason: undefined,
				addEventListener(t, f) { listeners.push(f) }, removeEventListener() {} };
			setTimeout(() => { signal.aborted = true; signal.reason = new Error("stop now"); listeners.forEach((f) => f()) }, 20);
			const start = Date.now();
			try { await fetch(BASE + "/slow", { signal }) } catch (e) { return e.message + " " + (Date.now() - start < 3000) }
			return "not aborted"`, `stop now true`},
		{"already aborted", `
			const signal = { aborted: true, reason: new Error("was aborted"), addEventListener() {}, removeEventListener() {} };
			await fetch(BASE + "/json", { signal })`, `rejected Error: was aborted`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runJS(t, allow, srv.URL, tt.src); got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFetchRefusesPrivateAddressesUnlessAllowed(t *testing.T) {
	srv := upstream(t)
	got := runJS(t, fetch.Options{}, srv.URL, `await fetch(BASE + "/json")`)
	if !strings.HasPrefix(got, "rejected TypeError: fetch to 127.0.0.1:") || !strings.Contains(got, "it is a loopback address") {
		t.Fatalf("got %q", got)
	}
	for _, host := range []string{"10.1.2.3", "169.254.169.254", "[::1]", "192.168.0.1"} {
		got := runJS(t, fetch.Options{}, "http://"+host+":9", `await fetch(BASE + "/")`)
		if !strings.Contains(got, "refused: it is a") {
			t.Errorf("%s: got %q", host, got)
		}
	}
}

func TestSubrequestHookRejects(t *testing.T) {
	srv := upstream(t)
	n := 0
	opts := fetch.Options{AllowPrivate: true, Subrequest: func() error {
		n++
		if n > 2 {
			return errors.New("Too many subrequests")
		}
		return nil
	}}
	got := runJS(t, opts, srv.URL, `
		const out = [];
		for (let i = 0; i < 3; i++) {
			try { out.push((await fetch(BASE + "/json")).status) } catch (e) { out.push(e.message) }
		}
		return out.join(",")`)
	if got != "200,200,Too many subrequests" {
		t.Fatalf("got %q", got)
	}
}

func TestFetchAbortWithAbortController(t *testing.T) {
	srv := upstream(t)
	got := runJS(t, fetch.Options{AllowPrivate: true}, srv.URL, `
		const ac = new AbortController();
		setTimeout(() => ac.abort(), 20);
		const start = Date.now();
		try { await fetch(BASE + "/slow", { signal: ac.signal }) } catch (e) {
			return [e.name, Date.now() - start < 3000, new Request(BASE).signal.aborted].join(" ")
		}
		return "not aborted"`)
	if got != "AbortError true false" {
		t.Fatalf("got %q", got)
	}
}
