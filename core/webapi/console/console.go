// Package console implements the console global: log, info, warn, error, debug,
// trace, assert, time/timeEnd, count and table-less dir, formatting arguments
// like Node's util.format and util.inspect (which Workers developers know from
// wrangler dev) and handing each line to a sink with its level.
package console

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// Level is a console method's severity.
type Level string

// The levels a sink receives.
const (
	Debug Level = "debug"
	Info  Level = "info"
	Log   Level = "log"
	Warn  Level = "warn"
	Error Level = "error"
)

// Sink receives one formatted console line. It runs on the loop goroutine.
type Sink func(level Level, line string)

// Install defines console on vm.
func Install(vm *goja.Runtime, sink Sink) {
	c := vm.NewObject()
	emit := func(level Level) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			sink(level, Format(vm, call.Arguments))
			return goja.Undefined()
		}
	}
	set := func(name string, fn func(goja.FunctionCall) goja.Value) { _ = c.Set(name, fn) }
	set("log", emit(Log))
	set("info", emit(Info))
	set("debug", emit(Debug))
	set("warn", emit(Warn))
	set("error", emit(Error))
	set("dir", emit(Log))
	set("trace", func(call goja.FunctionCall) goja.Value {
		var sb strings.Builder
		sb.WriteString("Trace")
		if len(call.Arguments) > 0 {
			sb.WriteString(": ")
			sb.WriteString(Format(vm, call.Arguments))
		}
		for _, f := range vm.CaptureCallStack(10, nil)[1:] {
			sb.WriteString("\n    at ")
			sb.WriteString(frameString(f))
		}
		sink(Error, sb.String())
		return goja.Undefined()
	})
	set("assert", func(call goja.FunctionCall) goja.Value {
		if call.Argument(0).ToBoolean() {
			return goja.Undefined()
		}
		msg := "Assertion failed"
		if len(call.Arguments) > 1 {
			msg += ": " + Format(vm, call.Arguments[1:])
		}
		sink(Error, msg)
		return goja.Undefined()
	})
	timers := map[string]time.Time{}
	counts := map[string]int{}
	label := func(call goja.FunctionCall) string {
		if v := call.Argument(0); !goja.IsUndefined(v) {
			return v.String()
		}
		return "default"
	}
	set("time", func(call goja.FunctionCall) goja.Value { timers[label(call)] = time.Now(); return goja.Undefined() })
	timeLog := func(end bool) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			l := label(call)
			start, ok := timers[l]
			if !ok {
				sink(Warn, fmt.Sprintf("Warning: No such label '%s'", l))
				return goja.Undefined()
			}
			if end {
				delete(timers, l)
			}
			sink(Log, fmt.Sprintf("%s: %.3fms", l, float64(time.Since(start).Microseconds())/1000))
			return goja.Undefined()
		}
	}
	set("timeEnd", timeLog(true))
	set("timeLog", timeLog(false))
	set("count", func(call goja.FunctionCall) goja.Value {
		l := label(call)
		counts[l]++
		sink(Log, fmt.Sprintf("%s: %d", l, counts[l]))
		return goja.Undefined()
	})
	set("countReset", func(call goja.FunctionCall) goja.Value { delete(counts, label(call)); return goja.Undefined() })
	for _, noop := range []string{"group", "groupCollapsed", "groupEnd", "table"} {
		if noop == "table" {
			set(noop, emit(Log))
			continue
		}
		set(noop, func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	}
	_ = vm.GlobalObject().DefineDataProperty("console", c, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

func frameString(f goja.StackFrame) string {
	p := f.Position()
	name := f.FuncName()
	loc := fmt.Sprintf("%s:%d:%d", f.SrcName(), p.Line, p.Column)
	if p.Filename != "" {
		loc = fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
	}
	if name == "" {
		return loc
	}
	return name + " (" + loc + ")"
}

// Format joins args like util.format: a leading string may hold %s %d %i %f %j
// %o %O %c directives; other arguments are inspected and joined by spaces.
func Format(vm *goja.Runtime, args []goja.Value) string {
	if len(args) == 0 {
		return ""
	}
	var sb strings.Builder
	rest := args
	if s, ok := args[0].Export().(string); ok && strings.ContainsRune(s, '%') {
		rest = args[1:]
		for i := 0; i < len(s); i++ {
			if s[i] != '%' || i+1 == len(s) {
				sb.WriteByte(s[i])
				continue
			}
			d := s[i+1]
			if d == '%' {
				sb.WriteByte('%')
				i++
				continue
			}
			if !strings.ContainsRune("sdifjoOc", rune(d)) || len(rest) == 0 {
				sb.WriteByte(s[i])
				continue
			}
			a := rest[0]
			rest = rest[1:]
			i++
			switch d {
			case 's':
				if _, isObj := a.(*goja.Object); isObj {
					sb.WriteString(Inspect(vm, a))
				} else {
					sb.WriteString(a.String())
				}
			case 'd', 'i':
				f := a.ToFloat()
				if d == 'i' {
					f = math.Trunc(f)
				}
				sb.WriteString(numberString(f))
			case 'f':
				sb.WriteString(numberString(a.ToFloat()))
			case 'j':
				b, err := a.ToObject(vm).MarshalJSON()
				if err != nil {
					sb.WriteString("[Circular]")
				} else {
					sb.Write(b)
				}
			case 'o', 'O':
				sb.WriteString(Inspect(vm, a))
			case 'c':
			}
		}
	} else {
		sb.WriteString(inspectTop(vm, args[0]))
		rest = args[1:]
	}
	for _, a := range rest {
		sb.WriteByte(' ')
		sb.WriteString(inspectTop(vm, a))
	}
	return sb.String()
}

func inspectTop(vm *goja.Runtime, v goja.Value) string {
	if s, ok := v.Export().(string); ok {
		if _, isObj := v.(*goja.Object); !isObj {
			return s
		}
	}
	return Inspect(vm, v)
}

func numberString(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Inspect renders v the way Node's util.inspect does, to depth 2.
func Inspect(vm *goja.Runtime, v goja.Value) string {
	var sb strings.Builder
	in := inspector{vm: vm, seen: map[*goja.Object]bool{}}
	in.write(&sb, v, 0)
	return sb.String()
}

type inspector struct {
	vm   *goja.Runtime
	seen map[*goja.Object]bool
}

func (in *inspector) write(sb *strings.Builder, v goja.Value, depth int) {
	vm := in.vm
	switch {
	case v == nil || goja.IsUndefined(v):
		sb.WriteString("undefined")
		return
	case goja.IsNull(v):
		sb.WriteString("null")
		return
	}
	obj, isObj := v.(*goja.Object)
	if !isObj {
		switch x := v.Export().(type) {
		case string:
			sb.WriteString(quote(x))
		case float64:
			if x == 0 && math.Signbit(x) {
				sb.WriteString("-0")
			} else {
				sb.WriteString(v.String())
			}
		default:
			if v.ExportType() != nil && v.ExportType().String() == "*big.Int" {
				sb.WriteString(v.String() + "n")
			} else {
				sb.WriteString(v.String())
			}
		}
		return
	}
	if _, ok := goja.AssertFunction(v); ok {
		name := obj.Get("name")
		if name == nil || name.String() == "" {
			sb.WriteString("[Function (anonymous)]")
		} else {
			sb.WriteString("[Function: " + name.String() + "]")
		}
		return
	}
	if in.seen[obj] {
		sb.WriteString("[Circular *1]")
		return
	}
	class := obj.ClassName()
	switch class {
	case "Error":
		if st := obj.Get("stack"); st != nil && !goja.IsUndefined(st) && st.String() != "" {
			sb.WriteString(st.String())
		} else {
			sb.WriteString(obj.String())
		}
		return
	case "Date":
		if iso, ok := goja.AssertFunction(obj.Get("toISOString")); ok {
			if r, err := iso(obj); err == nil {
				sb.WriteString(r.String())
				return
			}
		}
		sb.WriteString("Invalid Date")
		return
	case "RegExp":
		sb.WriteString(obj.String())
		return
	}
	if depth > 2 {
		if class == "Array" {
			sb.WriteString("[Array]")
		} else {
			sb.WriteString("[Object]")
		}
		return
	}
	in.seen[obj] = true
	defer delete(in.seen, obj)
	if class == "Array" {
		n := obj.Get("length").ToInteger()
		sb.WriteString("[")
		for i := int64(0); i < n; i++ {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString(" ")
			if i == 100 {
				sb.WriteString(fmt.Sprintf("... %d more items", n-100))
				break
			}
			in.write(sb, obj.Get(strconv.FormatInt(i, 10)), depth+1)
		}
		if n > 0 {
			sb.WriteString(" ")
		}
		sb.WriteString("]")
		return
	}
	if b, ok := v.Export().([]byte); ok {
		sb.WriteString(fmt.Sprintf("Uint8Array(%d) [", len(b)))
		for i, c := range b {
			if i == 100 {
				sb.WriteString(" ...")
				break
			}
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString(" " + strconv.Itoa(int(c)))
		}
		sb.WriteString(" ]")
		return
	}
	prefix := ""
	if tag := obj.GetSymbol(goja.SymToStringTag); tag != nil && !goja.IsUndefined(tag) {
		prefix = tag.String() + " "
	} else if ctor, ok := obj.Get("constructor").(*goja.Object); ok {
		if n := ctor.Get("name"); n != nil && n.String() != "Object" && n.String() != "" {
			prefix = n.String() + " "
		}
	}
	if t := strings.TrimSpace(prefix); t == "Map" || t == "Set" {
		class = t
	}
	if class == "Map" || class == "Set" {
		size := obj.Get("size").ToInteger()
		sb.WriteString(fmt.Sprintf("%s(%d) {", strings.TrimSpace(prefix), size))
		first := true
		vm.ForOf(obj, func(e goja.Value) bool {
			if !first {
				sb.WriteString(",")
			}
			first = false
			sb.WriteString(" ")
			if class == "Map" {
				pair := e.(*goja.Object)
				in.write(sb, pair.Get("0"), depth+1)
				sb.WriteString(" => ")
				in.write(sb, pair.Get("1"), depth+1)
			} else {
				in.write(sb, e, depth+1)
			}
			return true
		})
		if size > 0 {
			sb.WriteString(" ")
		}
		sb.WriteString("}")
		return
	}
	if class == "Promise" {
		sb.WriteString("Promise { ... }")
		return
	}
	keys := obj.Keys()
	sb.WriteString(prefix + "{")
	for i, k := range keys {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(" ")
		if isIdent(k) {
			sb.WriteString(k)
		} else {
			sb.WriteString(quote(k))
		}
		sb.WriteString(": ")
		in.write(sb, obj.Get(k), depth+1)
	}
	if len(keys) > 0 {
		sb.WriteString(" ")
	}
	sb.WriteString("}")
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// quote renders a nested string the way util.inspect does: single quotes.
func quote(s string) string {
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
	return "'" + strings.ReplaceAll(q, "'", `\'`) + "'"
}
