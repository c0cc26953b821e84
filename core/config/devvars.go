package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LoadDevVars reads the secrets `wrangler dev` gives a Worker locally, from
// the files next to its configuration file in dir, for the environment
// envName ("" for the top level). It follows wrangler 4's getVarsForDev:
//
//  1. `.dev.vars.<env>` if envName is set and the file exists, else
//     `.dev.vars`: only that one file is read, with no variable expansion;
//  2. otherwise the `.env` files that exist among `.env`, `.env.local`,
//     `.env.<env>` and `.env.<env>.local` are merged, each later file
//     overriding the earlier ones, and then `${VAR}` references are expanded
//     as dotenv-expand does.
//
// Cloudflare's page on local secrets ranks `.env.local` above `.env.<env>`;
// wrangler's code (4.164) loads them in the order above, so `.env.<env>`
// wins. This function does what wrangler does.
//
// Unlike wrangler it never reads the process environment (wrangler does when
// CLOUDFLARE_INCLUDE_PROCESS_ENV is set, and skips .env files when
// CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV=false); callers that want those
// switches apply them. The result is nil when no file exists.
func LoadDevVars(dir, envName string) (map[string]string, error) {
	var devVars []string
	if envName != "" {
		devVars = append(devVars, ".dev.vars."+envName)
	}
	devVars = append(devVars, ".dev.vars")
	for _, name := range devVars {
		data, err := readOptional(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if data != nil {
			vals, _ := parseDotenv(data)
			return vals, nil
		}
	}

	envFiles := []string{".env", ".env.local"}
	if envName != "" {
		envFiles = append(envFiles, ".env."+envName, ".env."+envName+".local")
	}
	var (
		merged map[string]string
		order  []string
	)
	for _, name := range envFiles {
		data, err := readOptional(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if data == nil {
			continue
		}
		if merged == nil {
			merged = map[string]string{}
		}
		vals, keys := parseDotenv(data)
		for _, k := range keys {
			if _, seen := merged[k]; !seen {
				order = append(order, k)
			}
			merged[k] = vals[k]
		}
	}
	if merged == nil {
		return nil, nil
	}
	return expandDotenv(merged, order), nil
}

// readOptional returns the file's bytes, or nil without error when it does not exist.
func readOptional(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading local dev variables: %w", err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// parseDotenv parses dotenv syntax the way the npm dotenv package (16.x,
// which wrangler uses) does; it never fails, it skips what it cannot read:
//
//	KEY=value            # unquoted: up to '#' or the end of the line, trimmed
//	export KEY=value     # the export prefix is ignored
//	KEY: value           # ':' followed by whitespace also separates
//	KEY="a\nb"           # double quotes: \n and \r become newline and CR
//	KEY='$raw'           # single quotes and backticks: taken as written
//	KEY="multi
//	line"                # quoted values may span lines
//
// Keys are made of letters, digits, '_', '.' and '-'. A later definition of a
// key replaces an earlier one. keys lists the keys in first-seen order.
func parseDotenv(data []byte) (vals map[string]string, keys []string) {
	src := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n")
	vals = map[string]string{}
	for i := 0; i < len(src); {
		key, raw, next, ok := dotenvLine(src, i)
		if !ok {
			i = lineEnd(src, i) + 1
			continue
		}
		if _, seen := vals[key]; !seen {
			keys = append(keys, key)
		}
		vals[key] = dotenvValue(raw)
		i = next
	}
	return vals, keys
}

// lineEnd returns the index of the '\n' ending the line that contains i, or len(s).
func lineEnd(s string, i int) int {
	if n := strings.IndexByte(s[i:], '\n'); n >= 0 {
		return i + n
	}
	return len(s)
}

// dotenvLine reads one assignment starting at the line beginning at start.
// raw is the value text before unquoting; next is where scanning resumes
// (after a multi-line value, several lines on).
func dotenvLine(src string, start int) (key, raw string, next int, ok bool) {
	i := skipHSpace(src, start)
	// "export KEY=v" names KEY, but "export =v" names "export".
	if strings.HasPrefix(src[i:], "export") {
		j := i + len("export")
		if j < len(src) && isSpace(src[j]) {
			for j < len(src) && isSpace(src[j]) {
				j++
			}
			if key, raw, next, ok = dotenvAssignment(src, j); ok {
				return key, raw, next, ok
			}
		}
	}
	return dotenvAssignment(src, i)
}

// dotenvAssignment reads `KEY=value` or `KEY: value` at i.
func dotenvAssignment(src string, i int) (key, raw string, next int, ok bool) {
	k := i
	for k < len(src) && isDotenvKeyChar(src[k]) {
		k++
	}
	if k == i {
		return "", "", 0, false
	}
	key = src[i:k]
	j := k
	for j < len(src) && isSpace(src[j]) { // dotenv allows any whitespace, even newlines, before '='
		j++
	}
	switch {
	case j < len(src) && src[j] == '=':
		j++
	case k < len(src) && src[k] == ':' && k+1 < len(src) && isSpace(src[k+1]):
		j = k + 2 // ':' and exactly one whitespace character, which may be a newline
	default:
		return "", "", 0, false
	}

	// A quoted value may start after whitespace, even on a later line.
	q := j
	for q < len(src) && isSpace(src[q]) {
		q++
	}
	if q < len(src) && (src[q] == '"' || src[q] == '\'' || src[q] == '`') {
		if end, after, found := closeQuote(src, q); found {
			return key, src[j : end+1], after, true
		}
	}
	// Unquoted: to the first '#' or the end of the line.
	eol := lineEnd(src, j)
	end := j
	for end < eol && src[end] != '#' {
		end++
	}
	return key, src[j:end], eol + 1, true
}

// closeQuote finds the quote closing the one at src[open]. A backslash
// before the quote character escapes it, but an escaped quote still closes
// the value when nothing but a comment follows it and no later quote does.
// The closing quote must be followed only by blanks and an optional comment.
// after is the start of the line following the value.
func closeQuote(src string, open int) (end, after int, found bool) {
	quote := src[open]
	var escaped []int
	for i := open + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			if i+1 < len(src) && src[i+1] == quote {
				escaped = append(escaped, i+1)
				i++
			}
		case quote:
			if after, ok := restOfLineIsBlank(src, i+1); ok {
				return i, after, true
			}
			goto backtrack
		}
	}
backtrack:
	for n := len(escaped) - 1; n >= 0; n-- {
		if after, ok := restOfLineIsBlank(src, escaped[n]+1); ok {
			return escaped[n], after, true
		}
	}
	return 0, 0, false
}

// restOfLineIsBlank reports whether only blanks and an optional comment
// follow i on its line, and returns the start of the next line.
func restOfLineIsBlank(src string, i int) (next int, ok bool) {
	i = skipHSpace(src, i)
	if i < len(src) && src[i] == '#' {
		for i < len(src) && src[i] != '\n' {
			i++
		}
	}
	if i >= len(src) {
		return len(src), true
	}
	if src[i] == '\n' {
		return i + 1, true
	}
	return 0, false
}

func dotenvValue(raw string) string {
	v := strings.TrimSpace(raw)
	if v == "" {
		return ""
	}
	q := v[0]
	if len(v) >= 2 && (q == '"' || q == '\'' || q == '`') && v[len(v)-1] == q {
		v = v[1 : len(v)-1]
	}
	if q == '"' {
		v = strings.ReplaceAll(v, `\n`, "\n")
		v = strings.ReplaceAll(v, `\r`, "\r")
	}
	return v
}

func isDotenvKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func skipHSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// expandDotenv expands references between the merged .env values as
// dotenv-expand (12.x) does for wrangler: in key order, each value may use
// ${NAME}, $NAME, ${NAME:-default} / ${NAME-default} (default when NAME is
// unset or empty) and ${NAME:+alt} / ${NAME+alt} (alt when NAME is set).
// Only keys that come earlier can be referenced; an unknown name expands to
// "". `\$` escapes a dollar sign.
func expandDotenv(vals map[string]string, order []string) map[string]string {
	done := make(map[string]string, len(vals))
	for _, k := range order {
		v := expandValue(vals[k], done)
		v = strings.ReplaceAll(v, `\$`, "$")
		done[k] = v
	}
	return done
}

func expandValue(value string, env map[string]string) string {
	result := value
	seen := map[string]bool{}
	for range 1000 { // bound pathological self-references
		template, expr, ok := nextReference(result)
		if !ok {
			break
		}
		seen[result] = true
		name, op, rest := splitOperator(expr)
		var repl string
		switch op {
		case ":+", "+":
			if env[name] != "" {
				repl = rest
			}
		default:
			repl = rest
			if v := env[name]; v != "" && !seen[v] {
				repl = v
			}
		}
		result = strings.Replace(result, template, repl, 1)
		if v, ok := env[name]; ok && result == v {
			break
		}
	}
	return result
}

// nextReference finds the first `${...}` or `$NAME` not preceded by a backslash.
func nextReference(s string) (template, expr string, ok bool) {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '$' || i > 0 && s[i-1] == '\\' {
			continue
		}
		if s[i+1] == '{' {
			j := i + 2
			for j < len(s) && s[j] != '{' && s[j] != '}' {
				j++
			}
			if j < len(s) && s[j] == '}' && j > i+2 {
				return s[i : j+1], s[i+2 : j], true
			}
			continue
		}
		if c := s[i+1]; c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			j := i + 2
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			return s[i:j], s[i+1 : j], true
		}
	}
	return "", "", false
}

// splitOperator splits `NAME:-default` at the first of :+, +, :-, -.
func splitOperator(expr string) (name, op, rest string) {
	for i := 0; i < len(expr); i++ {
		switch {
		case strings.HasPrefix(expr[i:], ":+"), strings.HasPrefix(expr[i:], ":-"):
			op = expr[i : i+2]
		case expr[i] == '+', expr[i] == '-':
			op = expr[i : i+1]
		default:
			continue
		}
		// Like String.prototype.split then join: everything after the first
		// operator is the default, operators included.
		return expr[:i], op, expr[i+len(op):]
	}
	return expr, "", ""
}
