package encoding

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/dop251/goja"
)

// jsCase is one JS snippet evaluated in a fresh runtime with Install; its
// completion value, as a string, must equal want.
type jsCase struct {
	name string
	src  string
	want string
}

// helpers are prepended to every snippet: attempt returns the thrown error as
// "Name: message", and bytes/hex make byte arrays easy to write and compare.
const helpers = `
function attempt(f) { try { return String(f()) } catch (e) { return e.name + ": " + e.message } }
function bytes(...b) { return new Uint8Array(b) }
function hex(u8) { return Array.from(u8, b => b.toString(16).padStart(2, "0")).join(" ") }
function codes(s) { return Array.from(s, c => c.codePointAt(0).toString(16)).join(" ") }
`

func runCases(t *testing.T, cases []jsCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			vm := goja.New()
			Install(vm)
			v, err := vm.RunString(helpers + c.src)
			if err != nil {
				t.Fatalf("%s\nthrew: %v", c.src, err)
			}
			if got := v.String(); got != c.want {
				t.Errorf("%s\n got: %s\nwant: %s", c.src, got, c.want)
			}
		})
	}
}

func TestTextEncoder(t *testing.T) {
	runCases(t, []jsCase{
		{"encode", `hex(new TextEncoder().encode("a€😀"))`, "61 e2 82 ac f0 9f 98 80"},
		{"encode returns Uint8Array", `new TextEncoder().encode("x") instanceof Uint8Array`, "true"},
		{"encode without argument", `new TextEncoder().encode().length + new TextEncoder().encode(undefined).length`, "0"},
		{"encode converts to string", `hex(new TextEncoder().encode(12))`, "31 32"},
		{"lone surrogates become U+FFFD", `hex(new TextEncoder().encode("\uD800x\uDC00"))`, "ef bf bd 78 ef bf bd"},
		{"encoding attribute", `new TextEncoder().encoding`, "utf-8"},
		{"encodeInto fits", `JSON.stringify(new TextEncoder().encodeInto("héllo", new Uint8Array(10)))`, `{"read":5,"written":6}`},
		{"encodeInto never splits a character", `const u = new Uint8Array(3); JSON.stringify(new TextEncoder().encodeInto("a€", u)) + hex(u)`,
			`{"read":1,"written":1}61 00 00`},
		{"encodeInto counts a surrogate pair as two read", `JSON.stringify(new TextEncoder().encodeInto("😀a", new Uint8Array(5)))`, `{"read":3,"written":5}`},
		{"encodeInto: a lone surrogate reads 1 and writes 3", `const u = new Uint8Array(4); JSON.stringify(new TextEncoder().encodeInto("\uDC00", u)) + hex(u)`,
			`{"read":1,"written":3}ef bf bd 00`},
		{"encodeInto with no room", `JSON.stringify(new TextEncoder().encodeInto("abc", new Uint8Array(0)))`, `{"read":0,"written":0}`},
		{"encodeInto writes at a subarray's offset", `const buf = new Uint8Array(4); new TextEncoder().encodeInto("hi", buf.subarray(1, 3)); hex(buf)`,
			"00 68 69 00"},
		{"encodeInto needs a Uint8Array", `attempt(() => new TextEncoder().encodeInto("a", new ArrayBuffer(4)))`,
			"TypeError: Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'."},
		{"encodeInto rejects other typed arrays", `attempt(() => new TextEncoder().encodeInto("a", new Uint16Array(4)))`,
			"TypeError: Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'."},
		{"encodeInto needs two arguments", `attempt(() => new TextEncoder().encodeInto("a"))`,
			"TypeError: Failed to execute 'encodeInto' on 'TextEncoder': 2 arguments required, but only 1 present."},
		{"brand check", `attempt(() => TextEncoder.prototype.encode.call({}, "a"))`, "TypeError: Illegal invocation"},
		{"call without new", `attempt(() => TextEncoder())`, "TypeError: Class constructor cannot be invoked without 'new'"},
		{"class shape", `[TextEncoder.name, TextEncoder.length, Object.prototype.toString.call(new TextEncoder()), new TextEncoder() instanceof TextEncoder].join()`,
			"TextEncoder,0,[object TextEncoder],true"},
		{"subclass", `class E extends TextEncoder { twice(s) { return this.encode(s + s) } }; hex(new E().twice("a"))`, "61 61"},
	})
}

func TestTextDecoderConstruction(t *testing.T) {
	runCases(t, []jsCase{
		{"defaults", `const d = new TextDecoder(); [d.encoding, d.fatal, d.ignoreBOM].join()`, "utf-8,false,false"},
		{"options", `const d = new TextDecoder("utf-8", {fatal: 1, ignoreBOM: "yes"}); [d.fatal, d.ignoreBOM].join()`, "true,true"},
		{"null options", `new TextDecoder("utf-8", null).fatal`, "false"},
		{"options must be a dictionary", `attempt(() => new TextDecoder("utf-8", 5))`,
			"TypeError: Failed to construct 'TextDecoder': The provided value is not of type 'TextDecoderOptions'."},
		{"labels are trimmed and case-insensitive", `new TextDecoder(" \tUTF8\n").encoding`, "utf-8"},
		{"label aliases", `["latin1", "ascii", "UTF-16", "unicodefffe", "sjis", "x-gbk", "iso-8859-8-i", "x-user-defined"].map(l => new TextDecoder(l).encoding).join()`,
			"windows-1252,windows-1252,utf-16le,utf-16be,shift_jis,gbk,iso-8859-8-i,x-user-defined"},
		{"unknown label", `attempt(() => new TextDecoder("klingon"))`, `RangeError: "klingon" is not a valid encoding.`},
		{"replacement encoding is refused", `attempt(() => new TextDecoder("iso-2022-kr"))`, `RangeError: "iso-2022-kr" is not a valid encoding.`},
		{"no Unicode case folding in labels", `attempt(() => new TextDecoder("\u212Aoi8-r"))`, "RangeError: \"\u212aoi8-r\" is not a valid encoding."},
		{"undefined label is the default", `new TextDecoder(undefined).encoding`, "utf-8"},
		{"call without new", `attempt(() => TextDecoder())`, "TypeError: Class constructor cannot be invoked without 'new'"},
		{"class shape", `[TextDecoder.name, TextDecoder.length, Object.prototype.toString.call(new TextDecoder())].join()`,
			"TextDecoder,0,[object TextDecoder]"},
		{"attributes are readonly accessors", `const d = new TextDecoder(); d.encoding = "x"; typeof Object.getOwnPropertyDescriptor(TextDecoder.prototype, "encoding").get + d.encoding`,
			"functionutf-8"},
	})
}

func TestTextDecoderUTF8(t *testing.T) {
	runCases(t, []jsCase{
		{"decode", `new TextDecoder().decode(bytes(0x68, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80))`, "hé€😀"},
		{"no input", `new TextDecoder().decode() + "|" + new TextDecoder().decode(undefined)`, "|"},
		{"ArrayBuffer input", `new TextDecoder().decode(bytes(0x6F, 0x6B).buffer)`, "ok"},
		{"DataView over part of a buffer", `new TextDecoder().decode(new DataView(bytes(0x78, 0x6F, 0x6B, 0x78).buffer, 1, 2))`, "ok"},
		{"Uint16Array view", `new TextDecoder().decode(new Uint16Array([0x6B6F]))`, "ok"},
		{"input must be a BufferSource", `attempt(() => new TextDecoder().decode("abc"))`,
			"TypeError: Failed to execute 'decode' on 'TextDecoder': parameter 1 is not of type 'ArrayBuffer or ArrayBufferView'."},
		{"maximal subparts become U+FFFD", `codes(new TextDecoder().decode(bytes(0xE2, 0x82, 0x41, 0xF0, 0x80, 0x80, 0xFF)))`,
			"fffd 41 fffd fffd fffd fffd"},
		{"fatal throws", `attempt(() => new TextDecoder("utf-8", {fatal: true}).decode(bytes(0xFF)))`, "TypeError: Failed to decode input."},
		{"fatal on a truncated end", `attempt(() => new TextDecoder("utf-8", {fatal: true}).decode(bytes(0xE2, 0x82)))`, "TypeError: Failed to decode input."},
		{"fatal accepts valid input", `new TextDecoder("utf-8", {fatal: true}).decode(bytes(0xC3, 0xA9))`, "é"},
		{"BOM stripped", `new TextDecoder().decode(bytes(0xEF, 0xBB, 0xBF, 0x61)).length`, "1"},
		{"only the first BOM", `codes(new TextDecoder().decode(bytes(0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF)))`, "feff"},
		{"ignoreBOM keeps it", `codes(new TextDecoder("utf-8", {ignoreBOM: true}).decode(bytes(0xEF, 0xBB, 0xBF, 0x61)))`, "feff 61"},
		{"BOM stripped again on a new stream", `const d = new TextDecoder(); const b = bytes(0xEF, 0xBB, 0xBF, 0x61); d.decode(b) + d.decode(b)`, "aa"},
		{"stream splits a character across calls", `const d = new TextDecoder();
			[d.decode(bytes(0xE2), {stream: true}), d.decode(bytes(0x82), {stream: true}), d.decode(bytes(0xAC, 0x21))].join("|")`,
			"||€!"},
		{"stream splits a BOM", `const d = new TextDecoder();
			d.decode(bytes(0xEF, 0xBB), {stream: true}) + d.decode(bytes(0xBF, 0x61), {stream: true}) + d.decode()`, "a"},
		{"BOM after a streamed character is kept", `const d = new TextDecoder();
			codes(d.decode(bytes(0x61), {stream: true}) + d.decode(bytes(0xEF, 0xBB, 0xBF)))`, "61 feff"},
		{"flush turns a pending sequence into U+FFFD", `const d = new TextDecoder();
			codes(d.decode(bytes(0xF0, 0x9F), {stream: true}) + d.decode())`, "fffd"},
		{"non-stream call ends the stream", `const d = new TextDecoder();
			d.decode(bytes(0xE2, 0x82), {stream: true}); codes(d.decode(bytes(0x41)) + d.decode(bytes(0x42)))`, "fffd 41 42"},
		{"an invalid byte after a pending lead", `const d = new TextDecoder();
			codes(d.decode(bytes(0xE2), {stream: true}) + d.decode(bytes(0x41)))`, "fffd 41"},
		{"fatal streaming waits for the rest", `const d = new TextDecoder("utf-8", {fatal: true});
			d.decode(bytes(0xF0, 0x9F, 0x98), {stream: true}) + d.decode(bytes(0x80))`, "😀"},
		{"decoder is usable after a fatal error", `const d = new TextDecoder("utf-8", {fatal: true});
			attempt(() => d.decode(bytes(0xE2), {stream: true}) + d.decode(bytes(0x41))) + d.decode(bytes(0x42))`,
			"TypeError: Failed to decode input.B"},
		{"decode options must be a dictionary", `attempt(() => new TextDecoder().decode(bytes(), 1))`,
			"TypeError: Failed to execute 'decode' on 'TextDecoder': The provided value is not of type 'TextDecodeOptions'."},
		{"round trip of each UTF-8 length", `const s = String.fromCodePoint(0, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF);
			new TextDecoder().decode(new TextEncoder().encode(s)) === s`, "true"},
	})
}

func TestTextDecoderUTF16(t *testing.T) {
	runCases(t, []jsCase{
		{"utf-16le", `new TextDecoder("utf-16le").decode(bytes(0x68, 0, 0xAC, 0x20, 0x3D, 0xD8, 0x00, 0xDE))`, "h€😀"},
		{"utf-16be", `new TextDecoder("utf-16be").decode(bytes(0, 0x68, 0x20, 0xAC, 0xD8, 0x3D, 0xDE, 0x00))`, "h€😀"},
		{"le BOM stripped", `new TextDecoder("utf-16le").decode(bytes(0xFF, 0xFE, 0x61, 0))`, "a"},
		{"be BOM stripped", `new TextDecoder("utf-16be").decode(bytes(0xFE, 0xFF, 0, 0x61))`, "a"},
		{"a BOM of the other order is a character", `codes(new TextDecoder("utf-16le").decode(bytes(0xFE, 0xFF)))`, "fffe"},
		{"lone surrogates", `codes(new TextDecoder("utf-16le").decode(bytes(0x00, 0xDC, 0x3D, 0xD8, 0x61, 0x00, 0x3D, 0xD8)))`,
			"fffd fffd 61 fffd"},
		{"odd byte at the end", `codes(new TextDecoder("utf-16le").decode(bytes(0x61, 0x00, 0x62)))`, "61 fffd"},
		{"fatal", `attempt(() => new TextDecoder("utf-16le", {fatal: true}).decode(bytes(0x00, 0xDC)))`, "TypeError: Failed to decode input."},
		{"fatal odd byte", `attempt(() => new TextDecoder("utf-16be", {fatal: true}).decode(bytes(0x00)))`, "TypeError: Failed to decode input."},
		{"stream splits a code unit and a surrogate pair", `const d = new TextDecoder("utf-16le");
			[d.decode(bytes(0x3D), {stream: true}), d.decode(bytes(0xD8, 0x00), {stream: true}), d.decode(bytes(0xDE))].join("|")`, "||😀"},
	})
}

func TestTextDecoderLegacy(t *testing.T) {
	runCases(t, []jsCase{
		{"windows-1252", `new TextDecoder("latin1").decode(bytes(0x80, 0xE9))`, "€é"},
		{"shift_jis", `new TextDecoder("shift_jis").decode(bytes(0x82, 0xA0))`, "あ"},
		{"gbk decodes gb18030 four-byte sequences", `new TextDecoder("gbk").decode(bytes(0x81, 0x30, 0x81, 0x30))`, "\u0080"},
		{"x-user-defined", `codes(new TextDecoder("x-user-defined").decode(bytes(0x41, 0x80)))`, "41 f780"},
		{"shift_jis split across chunks", `const d = new TextDecoder("shift_jis");
			d.decode(bytes(0x82), {stream: true}) + d.decode(bytes(0xA0))`, "あ"},
		{"iso-2022-jp keeps its state across chunks", `const d = new TextDecoder("iso-2022-jp");
			d.decode(bytes(0x1B, 0x24, 0x42), {stream: true}) + d.decode(bytes(0x24, 0x22), {stream: true}) + d.decode(bytes(0x1B, 0x28, 0x42, 0x61))`,
			"あa"},
		{"undefined byte becomes U+FFFD", `codes(new TextDecoder("windows-1253").decode(bytes(0xAA)))`, "fffd"},
		{"fatal", `attempt(() => new TextDecoder("windows-1253", {fatal: true}).decode(bytes(0xAA)))`, "TypeError: Failed to decode input."},
		{"no BOM stripping", `codes(new TextDecoder("windows-1252").decode(bytes(0xEF, 0xBB, 0xBF)))`, "ef bb bf"},
	})
}

func TestBase64(t *testing.T) {
	runCases(t, []jsCase{
		{"atob", `atob("aGVsbG8gd29ybGQ=")`, "hello world"},
		{"atob without padding and with whitespace", `atob(" aGVs\nbG8 ")`, "hello"},
		{"atob gives Latin-1 code units", `codes(atob("/+7d"))`, "ff ee dd"},
		{"atob error is an InvalidCharacterError", `try { atob("a") } catch (e) { [e.name, e.code, e.message].join("|") }`,
			"InvalidCharacterError|5|" + errAtob},
		{"atob rejects base64url", `attempt(() => atob("a-_b"))`, "InvalidCharacterError: " + errAtob},
		{"atob converts its argument", `atob(null).length`, "3"},
		{"atob needs an argument", `attempt(() => atob())`, "TypeError: Failed to execute 'atob': 1 argument required, but only 0 present."},
		{"btoa", `btoa("hello world")`, "aGVsbG8gd29ybGQ="},
		{"btoa takes Latin-1", `btoa("\u00FF\u00E9")`, "/+k="},
		{"btoa rejects wider characters", `try { btoa("€") } catch (e) { [e.name, e.code, e.message].join("|") }`,
			"InvalidCharacterError|5|" + errBtoa},
		{"btoa rejects lone surrogates", `attempt(() => btoa("\uD800"))`, "InvalidCharacterError: " + errBtoa},
		{"round trip of all bytes", `let s = ""; for (let i = 0; i < 256; i++) s += String.fromCharCode(i); atob(btoa(s)) === s`, "true"},
		{"globals are functions with WebIDL shape", `const d = Object.getOwnPropertyDescriptor(globalThis, "atob"); [d.writable, d.enumerable, d.configurable, atob.length, btoa.name].join()`,
			"true,true,true,1,btoa"},
	})
}

// TestWPTBase64 runs /work/shared/testdata/wpt/base64.json (forgiving-base64
// cases) through atob, as WPT's html/webappapis/atob/base64.any.js does, and
// checks that btoa round-trips every decodable case.
func TestWPTBase64(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "shared", "testdata", "wpt", "base64.json"))
	if err != nil {
		t.Skipf("WPT data not available: %v", err)
	}
	var cases [][2]any
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	vm := goja.New()
	Install(vm)
	v, err := vm.RunString(`(function (input, expected) {
		let out;
		try { out = atob(input) } catch (e) {
			return expected === null && e.name === "InvalidCharacterError" && e.code === 5 ? "" : "threw " + e.name;
		}
		if (expected === null) return "no error, got " + JSON.stringify(out);
		const got = Array.from(out, c => c.charCodeAt(0));
		if (JSON.stringify(got) !== JSON.stringify(expected)) return "got " + JSON.stringify(got);
		if (atob(btoa(out)) !== out) return "btoa round trip failed";
		return "";
	})`)
	if err != nil {
		t.Fatal(err)
	}
	fn, _ := goja.AssertFunction(v)
	pass := 0
	for _, c := range cases {
		res, err := fn(goja.Undefined(), vm.ToValue(c[0]), vm.ToValue(c[1]))
		if err != nil || res.String() != "" {
			t.Errorf("atob(%q) want %v: %v %v", c[0], c[1], res, err)
			continue
		}
		pass++
	}
	t.Logf("base64: %d/%d passed", pass, len(cases))
}

// TestLabelsMatchStandardNames checks every canonical name the decoder can
// report against the Encoding Standard's list (lowercased), so a change in
// x/text's naming cannot slip through.
func TestLabelsMatchStandardNames(t *testing.T) {
	names := []string{"utf-8", "ibm866", "iso-8859-2", "iso-8859-3", "iso-8859-4", "iso-8859-5", "iso-8859-6",
		"iso-8859-7", "iso-8859-8", "iso-8859-8-i", "iso-8859-10", "iso-8859-13", "iso-8859-14", "iso-8859-15",
		"iso-8859-16", "koi8-r", "koi8-u", "macintosh", "windows-874", "windows-1250", "windows-1251", "windows-1252",
		"windows-1253", "windows-1254", "windows-1255", "windows-1256", "windows-1257", "windows-1258",
		"x-mac-cyrillic", "gbk", "gb18030", "big5", "euc-jp", "iso-2022-jp", "shift_jis", "euc-kr", "utf-16be",
		"utf-16le", "x-user-defined"}
	for _, name := range names {
		var d textDecoder
		if !newDecoder(&d, name) {
			t.Errorf("%s: not accepted", name)
			continue
		}
		if d.name != name {
			t.Errorf("label %s reports encoding %q", name, d.name)
		}
	}
}
