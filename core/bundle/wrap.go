package bundle

import (
	"fmt"
	"regexp"
	"strings"
)

// esbuild bundles to an ES module (format esm): that is the format whose
// metafile lists the entry's exports, and it is what wrangler produces for
// module Workers. goja runs scripts, not modules, so wrapScript turns the
// module into one:
//
//	var __ferry_exports = (() => {"use strict";
//	<esbuild's module, unchanged but for its last statement>
//	return {__proto__: null, [Symbol.toStringTag]: "Module", get default() { return index_default; }};
//	})();
//
// When bundling, esbuild gathers every export of the entry into one
// `export { local as name, ... };` clause at the very end of the output (there
// are no external imports, and legal comments stay inline), so only that
// clause needs rewriting. Its items are checked against the metafile's export
// list: if esbuild ever printed something else, the build fails loudly instead
// of producing a wrong namespace.
//
// The wrapper adds exactly one line at the top, so the source map shifts by
// one line and nothing else.

// wrapperLines is the number of lines wrapScript adds before the module.
const wrapperLines = 1

type exportItem struct {
	local string // the module-scope binding
	name  string // the exported name as JS source: an identifier or a string literal
}

var emptyExportClause = regexp.MustCompile(`(?:^|\n)export\s*\{\s*\};?\s*$`)

// wrapScript returns the script for the module code. exports are the entry's
// export names from the metafile; strict adds "use strict" (the entry is an ES
// module; a plain service-worker script keeps sloppy mode, as in Workers).
//
// async wraps the module in an async arrow function instead, for scripts with
// top-level await; the global then holds a promise for the namespace.
func wrapScript(code string, exports []string, strict, async bool) (string, error) {
	body, items := code, []exportItem(nil)
	if len(exports) == 0 {
		if loc := emptyExportClause.FindStringIndex(code); loc != nil {
			body = code[:loc[0]] + "\n"
		}
	} else {
		start, its, err := parseExportClause(code)
		if err != nil {
			return "", err
		}
		if err := checkExportItems(its, exports); err != nil {
			return "", err
		}
		body, items = code[:start], its
	}

	var b strings.Builder
	b.Grow(len(body) + 200)
	b.WriteString("var " + ExportsGlobal + " = (")
	if async {
		b.WriteString("async ")
	}
	b.WriteString("() => {")
	if strict {
		b.WriteString(`"use strict";`)
	}
	b.WriteString("\n")
	b.WriteString(body)
	if !strings.HasSuffix(body, "\n") {
		b.WriteString("\n")
	}
	b.WriteString(`return {__proto__: null, [Symbol.toStringTag]: "Module"`)
	for _, it := range items {
		fmt.Fprintf(&b, ", get %s() { return %s; }", it.name, it.local)
	}
	b.WriteString("};\n})();\n")
	return b.String(), nil
}

// parseExportClause finds the trailing export clause: the last line that
// starts with "export {", running to the end of the code.
func parseExportClause(code string) (start int, items []exportItem, err error) {
	start = strings.LastIndex(code, "\nexport {") + 1
	if start == 0 && !strings.HasPrefix(code, "export {") {
		return 0, nil, fmt.Errorf("bundle: esbuild's output has no export clause")
	}
	s := code[start+len("export {"):]
	fail := func() (int, []exportItem, error) {
		return 0, nil, fmt.Errorf("bundle: cannot read esbuild's export clause %q", strings.TrimSpace(code[start:]))
	}
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if strings.HasPrefix(s, "}") {
			break
		}
		var local, name string
		if local, s = jsName(s); local == "" || local[0] == '"' || local[0] == '\'' {
			return fail()
		}
		name = local
		s = strings.TrimLeft(s, " \t\r\n")
		if rest, ok := strings.CutPrefix(s, "as"); ok && rest != "" && strings.ContainsRune(" \t\r\n", rune(rest[0])) {
			if name, s = jsName(strings.TrimLeft(rest, " \t\r\n")); name == "" {
				return fail()
			}
			s = strings.TrimLeft(s, " \t\r\n")
		}
		items = append(items, exportItem{local: local, name: name})
		if rest, ok := strings.CutPrefix(s, ","); ok {
			s = rest
			continue
		}
		if !strings.HasPrefix(s, "}") {
			return fail()
		}
	}
	s = strings.TrimPrefix(s, "}")
	s = strings.TrimPrefix(strings.TrimLeft(s, " \t"), ";")
	if strings.TrimSpace(s) != "" {
		return fail()
	}
	return start, items, nil
}

// jsName reads an identifier (ASCII, with \uXXXX escapes: esbuild's default
// charset is ASCII) or a quoted string from the start of s.
func jsName(s string) (name, rest string) {
	if s == "" {
		return "", s
	}
	if q := s[0]; q == '"' || q == '\'' {
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case q:
				return s[:i+1], s[i+1:]
			}
		}
		return "", s
	}
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			i++
		case c == '\\' && i+1 < len(s) && s[i+1] == 'u':
			i += 2
		default:
			return s[:i], s[i:]
		}
	}
	return s, ""
}

// checkExportItems makes sure the clause exports exactly the metafile's names.
func checkExportItems(items []exportItem, exports []string) error {
	want := make(map[string]bool, len(exports))
	for _, e := range exports {
		want[e] = true
	}
	ok := len(items) == len(exports)
	for _, it := range items {
		if it.name[0] != '"' && it.name[0] != '\'' && !strings.Contains(it.name, `\`) && !want[it.name] {
			ok = false
		}
	}
	if !ok {
		return fmt.Errorf("bundle: esbuild's export clause %v does not match the entry's exports %q", items, exports)
	}
	return nil
}
