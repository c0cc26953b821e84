package url

import (
	"testing"

	"github.com/dop251/goja"
)

// jsCase is one JS snippet evaluated in a fresh runtime with Install; the
// completion value, converted to a string, must equal want. Snippets that
// expect an exception catch it and return `${e.name}: ${e.message}`.
type jsCase struct {
	name string
	src  string
	want string
}

func runCases(t *testing.T, cases []jsCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			vm := goja.New()
			Install(vm)
			v, err := vm.RunString(c.src)
			if err != nil {
				t.Fatalf("%s\nthrew: %v", c.src, err)
			}
			if got := v.String(); got != c.want {
				t.Errorf("%s\n got: %s\nwant: %s", c.src, got, c.want)
			}
		})
	}
}

const catchErr = `function attempt(f) { try { return String(f()) } catch (e) { return e.name + ": " + e.message } }; `

func TestURL(t *testing.T) {
	runCases(t, []jsCase{
		{"resolves against a base", `new URL("../c?d=1#e", "https://user:pw@example.com:8080/a/b/").href`,
			"https://user:pw@example.com:8080/a/c?d=1#e"},
		{"attributes", `const u = new URL("https://user:pw@EXAMPLE.com:8080/p/q?x=1#frag");
			[u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, u.origin].join("|")`,
			"https:|user|pw|example.com:8080|example.com|8080|/p/q|?x=1|#frag|https://example.com:8080"},
		{"default port dropped", `new URL("http://example.com:80/").host`, "example.com"},
		{"base URL object", `new URL("/x", new URL("http://a.test/y/z")).href`, "http://a.test/x"},
		{"invalid URL throws the Workers TypeError", catchErr + `attempt(() => new URL("not a url"))`,
			"TypeError: Invalid URL string."},
		{"invalid base throws", catchErr + `attempt(() => new URL("/x", "nope"))`, "TypeError: Invalid URL string."},
		{"empty-string base is not a base", catchErr + `attempt(() => new URL("http://ok/", ""))`, "TypeError: Invalid URL string."},
		{"undefined base means none", `new URL("http://a/", undefined).href`, "http://a/"},
		{"missing argument", catchErr + `attempt(() => new URL())`, "TypeError: Invalid URL string."},
		{"call without new", catchErr + `attempt(() => URL("http://a/")) + attempt(() => URLSearchParams())`,
			"TypeError: Class constructor cannot be invoked without 'new'TypeError: Class constructor cannot be invoked without 'new'"},
		{"constructor name and length", `[URL.name, URL.length, URLSearchParams.name, URLSearchParams.length].join()`, "URL,1,URLSearchParams,0"},
		{"globals are not enumerable", `Object.keys(globalThis).filter(k => k.startsWith("URL")).length`, "0"},
		{"IDNA host to punycode", `new URL("https://Bücher.example/").hostname`, "xn--bcher-kva.example"},
		{"IDNA keeps ASCII xn-- labels", `new URL("http://a.xn--pokxncvks/").host`, "a.xn--pokxncvks"},
		{"IPv4 shorthand", `new URL("http://0x7f.1/").host`, "127.0.0.1"},
		{"IPv6", `new URL("http://[0:0::1]:81/").host`, "[::1]:81"},
		{"lone surrogate becomes U+FFFD", `new URL("http://a/?q=\uD800").search`, "?q=%EF%BF%BD"},
		{"path percent-encodes ^", `new URL("http://a/^").pathname`, "/%5E"},
		{"opaque path space before query", `new URL("sc:a ?q").href`, "sc:a%20?q"},
		{"canParse", `[URL.canParse("http://a/"), URL.canParse("/x"), URL.canParse("/x", "http://a/")].join()`,
			"true,false,true"},
		{"parse returns null on failure", `String(URL.parse("/x")) + " " + URL.parse("/x", "http://a/").href`,
			"null http://a/x"},
		{"parse returns a URL", `URL.parse("http://a/") instanceof URL`, "true"},
		{"toString, String, toJSON, JSON", `const u = new URL("http://a/b"); [u.toString(), String(u), u.toJSON(), JSON.stringify({u})].join(" ")`,
			`http://a/b http://a/b http://a/b {"u":"http://a/b"}`},
		{"toStringTag", `Object.prototype.toString.call(new URL("http://a/"))`, "[object URL]"},
		{"instanceof", `new URL("http://a/") instanceof URL`, "true"},
		{"own keys are empty", `Object.keys(new URL("http://a/")).length`, "0"},
		{"expando properties stick", `const u = new URL("http://a/"); u.tag = 7; u.tag + Object.keys(u).join()`, "7tag"},
		{"prototype attributes are accessors", `const d = Object.getOwnPropertyDescriptor(URL.prototype, "href");
			[typeof d.get, typeof d.set, d.enumerable, d.configurable].join()`, "function,function,true,true"},
		{"origin is readonly", `const d = Object.getOwnPropertyDescriptor(URL.prototype, "origin"); String(d.set)`, "undefined"},
		{"brand check", catchErr + `attempt(() => Object.getOwnPropertyDescriptor(URL.prototype, "href").get.call({}))`,
			"TypeError: Illegal invocation"},
		{"subclass", `class My extends URL { extra() { return this.host } }; const m = new My("http://sub.test/"); [m instanceof My, m instanceof URL, m.extra()].join()`,
			"true,true,sub.test"},
		{"href setter reparses", `const u = new URL("http://a/"); u.href = "https://b/c?d"; u.host + u.search`, "b?d"},
		{"href setter throws on invalid", catchErr + `const u = new URL("http://a/"); attempt(() => { u.href = "::" }) + " " + u.href`,
			"TypeError: Invalid URL string. http://a/"},
		{"protocol setter", `const u = new URL("http://a/"); u.protocol = "https"; u.href`, "https://a/"},
		{"special to non-special protocol is ignored", `const u = new URL("http://a/"); u.protocol = "foo"; u.href`, "http://a/"},
		{"host setter", `const u = new URL("http://a/p"); u.host = "b.test:99"; u.href`, "http://b.test:99/p"},
		{"port setter clears with empty string", `const u = new URL("http://a:81/"); u.port = ""; u.host`, "a"},
		{"port setter ignores junk after digits", `const u = new URL("http://a/"); u.port = "8080stuff"; u.port`, "8080"},
		{"pathname setter encodes", `const u = new URL("http://a/"); u.pathname = "x y"; u.pathname`, "/x%20y"},
		{"hash setter", `const u = new URL("http://a/"); u.hash = "#h"; u.hash = "frag ment"; u.href`, "http://a/#frag%20ment"},
		{"search setter with empty string removes query", `const u = new URL("http://a/?q"); u.search = ""; u.href`, "http://a/"},
		{"username on file URL is ignored", `const u = new URL("file:///etc"); u.username = "x"; u.href`, "file:///etc"},
		{"blob origin", `new URL("blob:https://a.test:8443/uuid").origin`, "https://a.test:8443"},
		{"opaque origin", `new URL("data:text/plain,hi").origin`, "null"},
	})
}

func TestURLSearchParamsLinkedToURL(t *testing.T) {
	runCases(t, []jsCase{
		{"same object each time", `const u = new URL("http://a/"); u.searchParams === u.searchParams`, "true"},
		{"reads the query", `new URL("http://a/?x=1&y=%20&x=2").searchParams.getAll("x").join()`, "1,2"},
		{"append updates search", `const u = new URL("http://a/?x=1"); u.searchParams.append("y", "a b"); u.search`, "?x=1&y=a+b"},
		{"set updates href", `const u = new URL("http://a/p#h"); u.searchParams.set("q", "é"); u.href`, "http://a/p?q=%C3%A9#h"},
		{"deleting the last pair removes the query", `const u = new URL("http://a/?x=1"); u.searchParams.delete("x"); u.href`, "http://a/"},
		{"sort rewrites the query", `const u = new URL("http://a/?b=2&a=1"); u.searchParams.sort(); u.search`, "?a=1&b=2"},
		{"search setter updates params", `const u = new URL("http://a/?x=1"); const p = u.searchParams; u.search = "?y=2"; p.get("y") + p.has("x")`, "2false"},
		{"href setter updates params", `const u = new URL("http://a/?x=1"); const p = u.searchParams; u.href = "http://b/?z=3"; p.get("z") + p.size`, "31"},
		{"search setter parses input, not the encoded query", `const u = new URL("http://a/"); u.search = "a=%zz&b=#c"; u.searchParams.get("a") + "|" + u.searchParams.get("b") + "|" + u.search`,
			"%zz|#c|?a=%zz&b=%23c"},
		{"hash setter leaves params alone", `const u = new URL("http://a/?x=1"); const p = u.searchParams; u.hash = "y"; p.get("x")`, "1"},
		{"params created after setters", `const u = new URL("http://a/"); u.search = "k=v"; u.searchParams.get("k")`, "v"},
		{"params serialization replaces the query's encoding", `const u = new URL("http://a/?a=b c"); u.searchParams.append("d", "~"); u.search`, "?a=b+c&d=%7E"},
	})
}

func TestURLSearchParams(t *testing.T) {
	runCases(t, []jsCase{
		{"from string with leading ?", `new URLSearchParams("?a=1&b=2").toString()`, "a=1&b=2"},
		{"only one ? is stripped", `new URLSearchParams("??a=1").toString()`, "%3Fa=1"},
		{"parser details", `[...new URLSearchParams("a=b=c&&d&=e&+f+=%2B%zz")].map(p => p.join(":")).join("|")`,
			"a:b=c|d:|:e| f :+%zz"},
		{"invalid UTF-8 becomes U+FFFD per maximal subpart", `new URLSearchParams("a=%E2%82%41%FF").get("a") === "\uFFFDA\uFFFD"`, "true"},
		{"from pairs", `new URLSearchParams([["a", 1], ["b", "x y"]]).toString()`, "a=1&b=x+y"},
		{"from an iterable of iterables", `new URLSearchParams(new Map([["k", "v"]])).get("k")`, "v"},
		{"from a record", `new URLSearchParams({b: "2", a: "1"}).toString()`, "b=2&a=1"},
		{"record with lone surrogate keys merges them", `const p = new URLSearchParams({"\uD800": "1", "\uDC00": "2"}); p.size + ":" + p.get("\uFFFD")`, "1:2"},
		{"from another URLSearchParams (a copy)", `const a = new URLSearchParams("x=1"); const b = new URLSearchParams(a); b.append("y", "2"); a.toString() + " " + b.toString()`,
			"x=1 x=1&y=2"},
		{"from undefined and no argument", `new URLSearchParams(undefined).size + new URLSearchParams().size`, "0"},
		{"null is the string null", `new URLSearchParams(null).has("null")`, "true"},
		{"a pair of three throws", catchErr + `attempt(() => new URLSearchParams([["a", "b", "c"]]))`,
			"TypeError: Invalid URL search params sequence."},
		{"a pair that is a string throws", catchErr + `attempt(() => new URLSearchParams(["ab"]))`,
			"TypeError: Invalid URL search params sequence."},
		{"get missing is null", `String(new URLSearchParams("a=1").get("b"))`, "null"},
		{"getAll", `JSON.stringify(new URLSearchParams("a=1&b=2&a=3").getAll("a"))`, `["1","3"]`},
		{"has with value", `const p = new URLSearchParams("a=1&a=2"); [p.has("a"), p.has("a", "2"), p.has("a", "3"), p.has("b")].join()`,
			"true,true,false,false"},
		{"delete with value", `const p = new URLSearchParams("a=1&a=2&b=1"); p.delete("a", "1"); p.toString()`, "a=2&b=1"},
		{"delete with undefined value deletes all", `const p = new URLSearchParams("a=1&a=2"); p.delete("a", undefined); p.size`, "0"},
		{"set replaces the first and drops the rest", `const p = new URLSearchParams("a=1&b=2&a=3"); p.set("a", "x"); p.toString()`, "a=x&b=2"},
		{"set appends when absent", `const p = new URLSearchParams("a=1"); p.set("b", "2"); p.toString()`, "a=1&b=2"},
		{"sort is stable", `const p = new URLSearchParams("z=1&a=2&z=0&a=1"); p.sort(); p.toString()`, "a=2&a=1&z=1&z=0"},
		{"sort uses UTF-16 code units", `const p = new URLSearchParams([["\uFFFD", "1"], ["\u{1F600}", "2"], ["a", "3"]]); p.sort(); [...p.keys()].map(k => k.codePointAt(0).toString(16)).join()`,
			"61,1f600,fffd"},
		{"serializer encoding", `new URLSearchParams([["a b", "*-._~!'()é&="]]).toString()`, "a+b=*-._%7E%21%27%28%29%C3%A9%26%3D"},
		{"String() and template", "const p = new URLSearchParams(\"a=1\"); String(p) + `${p}`", "a=1a=1"},
		{"size", `new URLSearchParams("a=1&a=2&b").size`, "3"},
		{"forEach arguments and thisArg", `const p = new URLSearchParams("a=1&b=2"); const out = [];
			p.forEach(function (v, k, o) { out.push(k + "=" + v + (o === p) + this.tag) }, {tag: "!"}); out.join()`,
			"a=1true!,b=2true!"},
		{"forEach needs a function", catchErr + `attempt(() => new URLSearchParams().forEach(1))`,
			"TypeError: Failed to execute 'forEach' on 'URLSearchParams': parameter 1 is not of type 'Function'."},
		{"keys values entries", `const p = new URLSearchParams("a=1&b=2"); [...p.keys()].join() + "|" + [...p.values()].join() + "|" + JSON.stringify([...p.entries()])`,
			`a,b|1,2|[["a","1"],["b","2"]]`},
		{"default iterator is entries", `URLSearchParams.prototype[Symbol.iterator] === URLSearchParams.prototype.entries`, "true"},
		{"for-of destructuring", `let s = ""; for (const [k, v] of new URLSearchParams("x=1&y=2")) s += k + v; s`, "x1y2"},
		{"Object.fromEntries", `JSON.stringify(Object.fromEntries(new URLSearchParams("a=1&b=2")))`, `{"a":"1","b":"2"}`},
		{"iterator object", `const it = new URLSearchParams("a=1").keys();
			[Object.prototype.toString.call(it), it[Symbol.iterator]() === it, JSON.stringify(it.next()), JSON.stringify(it.next())].join(" ")`,
			`[object URLSearchParams Iterator] true {"value":"a","done":false} {"done":true}`},
		{"iterators are live", `const p = new URLSearchParams("a=1"); const seen = []; for (const [k] of p) { seen.push(k); if (seen.length < 3) p.append("n" + seen.length, "") } seen.join()`,
			"a,n1,n2"},
		{"instanceof and toStringTag", `const p = new URLSearchParams(); (p instanceof URLSearchParams) + Object.prototype.toString.call(p)`,
			"true[object URLSearchParams]"},
		{"missing arguments", catchErr + `attempt(() => new URLSearchParams().append("a"))`,
			"TypeError: Failed to execute 'append' on 'URLSearchParams': 2 arguments required, but only 1 present."},
		{"brand check", catchErr + `attempt(() => URLSearchParams.prototype.get.call({}, "a"))`, "TypeError: Illegal invocation"},
		{"subclass", `class P extends URLSearchParams {}; const p = new P("a=1"); (p instanceof P) + p.get("a")`, "true1"},
		{"symbol argument throws", catchErr + `attempt(() => new URLSearchParams().append(Symbol(), "x"))`,
			"TypeError: Cannot convert a Symbol value to a string"},
		{"errors from user iterables propagate", catchErr + `attempt(() => new URLSearchParams({[Symbol.iterator]() { throw new RangeError("boom") }}))`,
			"RangeError: boom"},
	})
}

func TestCompareUTF16(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"a", "b", -1},
		{"ab", "a", 1},
		{"", "", 0},
		{"\U0001F600", "\uFFFD", -1}, // D83D DE00 < FFFD, although U+1F600 > U+FFFD
		{"\uE000", "\U00010000", 1},
		{"x\U0001F601", "x\U0001F600", 1},
		{"é", "e", 1},
	}
	for _, c := range cases {
		got := compareUTF16(c.a, c.b)
		if sign(got) != c.want {
			t.Errorf("compareUTF16(%q, %q) = %d, want sign %d", c.a, c.b, got, c.want)
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// TestStandInHostsStayReal checks that a real host spelled like the IDNA
// stand-in label round-trips instead of being decoded.
func TestStandInHostsStayReal(t *testing.T) {
	runCases(t, []jsCase{
		{"stand-in prefix", `new URL("http://ferry-host-6162/").host`, "ferry-host-6162"},
		{"stand-in prefix with xn--", `new URL("http://ferry-host-00.xn--a/").host`, "ferry-host-00.xn--a"},
		{"long numeric-looking last label", `new URL("http://a.1234567890123456789012345b/").host`, "a.1234567890123456789012345b"},
		{"forbidden code point after percent-decoding", catchErr + `attempt(() => new URL("http://a%25b/"))`, "TypeError: Invalid URL string."},
		{"ends in a number goes to the IPv4 parser", catchErr + `attempt(() => new URL("http://xn--a.1/"))`, "TypeError: Invalid URL string."},
	})
}
