package urlpattern

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/webapi/url"
)

// floorWPT is the number of urlpatterntestdata.json cases that pass (all
// of them); a change that breaks one fails the test.
const floorWPT = 369 // of 369

// wptHarness checks one WPT entry the way the upstream harness does:
// the constructor (or its TypeError), each component getter (with the
// upstream defaults when expected_obj leaves one out), test(), exec() and
// every part of the exec() result. It returns "" on success or what
// differed.
const wptHarness = `(function () {
	const components = ["protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"];
	// A component given in the init dictionary makes these default to "*"
	// instead of inheriting from the base URL.
	const earlier = {
		protocol: [], username: [], password: [], hostname: ["protocol"], port: ["protocol", "hostname"],
		pathname: ["protocol", "hostname", "port"], search: ["protocol", "hostname", "port", "pathname"],
		hash: ["protocol", "hostname", "port", "pathname", "search"],
	};
	const show = (v) => v === undefined ? "undefined" : JSON.stringify(v);

	function expectedPattern(e, c) {
		if (e.expected_obj && e.expected_obj[c] !== undefined) return e.expected_obj[c];
		if (e.exactly_empty_components && e.exactly_empty_components.includes(c)) return "";
		const init = typeof e.pattern[0] === "object" && e.pattern[0] !== null ? e.pattern[0] : null;
		if (init && init[c]) return init[c];
		if (init && earlier[c].some((x) => init[x] !== undefined)) return "*";
		let base = null;
		if (init && init.baseURL) base = new URL(init.baseURL);
		else if (e.pattern.length > 1 && typeof e.pattern[1] === "string") base = new URL(e.pattern[1]);
		if (base && c !== "username" && c !== "password") {
			let v = base[c];
			if (c === "protocol") v = v.slice(0, -1);
			else if (c === "search" || c === "hash") v = v.slice(1);
			return v;
		}
		return "*";
	}

	function sameGroups(got, want) {
		const gk = Object.keys(got), wk = Object.keys(want);
		if (gk.length !== wk.length) return false;
		for (const k of wk) {
			if (!(k in got) || got[k] !== want[k]) return false;
		}
		return true;
	}

	return function (json) {
		const e = JSON.parse(json);
		if (e.expected_obj === "error") {
			try { new URLPattern(...e.pattern); } catch (err) {
				return err instanceof TypeError ? "" : "constructor threw " + err;
			}
			return "constructor did not throw";
		}
		let p;
		try { p = new URLPattern(...e.pattern); } catch (err) { return "constructor threw " + err; }
		for (const c of components) {
			const want = expectedPattern(e, c);
			if (p[c] !== want) return "pattern." + c + " = " + show(p[c]) + ", want " + show(want);
		}
		const inputs = e.inputs || [];
		if (e.expected_match === "error") {
			for (const m of ["test", "exec"]) {
				try { p[m](...inputs); return m + "() did not throw"; } catch (err) {
					if (!(err instanceof TypeError)) return m + "() threw " + err;
				}
			}
			return "";
		}
		const t = p.test(...inputs);
		if (t !== !!e.expected_match) return "test() = " + t;
		const r = p.exec(...inputs);
		if (!e.expected_match || typeof e.expected_match !== "object") {
			return r === e.expected_match ? "" : "exec() = " + show(r);
		}
		if (r === null) return "exec() = null";
		const wantInputs = e.expected_match.inputs || inputs;
		if (r.inputs.length !== wantInputs.length) return "exec().inputs = " + show(r.inputs);
		for (let i = 0; i < wantInputs.length; i++) {
			if (typeof r.inputs[i] === "string") {
				if (r.inputs[i] !== wantInputs[i]) return "exec().inputs[" + i + "] = " + show(r.inputs[i]);
				continue;
			}
			for (const c of components) {
				if (r.inputs[i][c] !== wantInputs[i][c]) return "exec().inputs[" + i + "]." + c + " = " + show(r.inputs[i][c]);
			}
		}
		for (const c of components) {
			let want = e.expected_match[c];
			if (!want) {
				want = { input: "", groups: {} };
				if (!e.exactly_empty_components || !e.exactly_empty_components.includes(c)) want.groups["0"] = "";
			}
			const groups = {};
			for (const k in want.groups) groups[k] = want.groups[k] === null ? undefined : want.groups[k];
			const got = r[c];
			if (got.input !== want.input) return "exec()." + c + ".input = " + show(got.input) + ", want " + show(want.input);
			if (!sameGroups(got.groups, groups)) {
				const g = {};
				for (const k in got.groups) g[k] = got.groups[k] === undefined ? null : got.groups[k];
				return "exec()." + c + ".groups = " + show(g) + ", want " + show(want.groups);
			}
		}
		return "";
	};
})()`

// TestWPT runs web-platform-tests' urlpatterntestdata.json through the JS
// API, once as shipped and once with every regular expression on regexp2,
// which otherwise sees only the few that need it.
func TestWPT(t *testing.T) {
	t.Run("re2", func(t *testing.T) { testWPT(t) })
	t.Run("regexp2", func(t *testing.T) {
		testForceBacktrack = true
		defer func() { testForceBacktrack = false }()
		testWPT(t)
	})
}

func testWPT(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "shared", "testdata", "wpt", "urlpattern", "urlpatterntestdata.json"))
	if err != nil {
		t.Skipf("WPT data not available: %v", err)
	}
	var cases []json.RawMessage
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	vm := goja.New()
	url.Install(vm)
	Install(vm)
	v, err := vm.RunString(wptHarness)
	if err != nil {
		t.Fatal(err)
	}
	run, _ := goja.AssertFunction(v)
	pass := 0
	var failures []string
	for _, c := range cases {
		out, err := run(goja.Undefined(), vm.ToValue(string(c)))
		msg := ""
		if err != nil {
			msg = "harness: " + err.Error()
		} else {
			msg = out.String()
		}
		if msg == "" {
			pass++
			continue
		}
		failures = append(failures, string(compactJSON(c))+"\n\t"+msg)
	}
	t.Logf("urlpattern: %d/%d passed", pass, len(cases))
	if testing.Verbose() && len(failures) > 0 {
		t.Logf("failures:\n%s", strings.Join(failures, "\n"))
	}
	if pass < floorWPT {
		t.Errorf("%d cases pass, fewer than the floor of %d", pass, floorWPT)
	}
}

func compactJSON(b []byte) []byte {
	var out strings.Builder
	var v any
	if json.Unmarshal(b, &v) != nil {
		return b
	}
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return []byte(strings.TrimSpace(out.String()))
}
