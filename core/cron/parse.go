package cron

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

type fieldKind int

const (
	minuteField fieldKind = iota
	hourField
	domField
	monthField
	dowField
)

type field struct {
	kind     fieldKind
	name     string // as it appears in errors
	min, max int
	names    []string // names[i] is value min+i
	hint     string   // appended to out-of-range errors
}

var fields = [5]field{
	{kind: minuteField, name: "minute", min: 0, max: 59},
	{kind: hourField, name: "hour", min: 0, max: 23},
	{kind: domField, name: "day of month", min: 1, max: 31},
	{kind: monthField, name: "month", min: 1, max: 12,
		names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{kind: dowField, name: "day of week", min: 1, max: 7,
		names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"},
		hint:  " (1 is Sunday, 7 is Saturday)"},
}

// Parse parses a five-field Cloudflare cron expression (see the package comment for
// the syntax). Errors name the expression, the field and the offending token:
//
//	cron "61 * * * *": minute: 61 is out of range 0-59
func Parse(expr string) (*Schedule, error) {
	parts := strings.Fields(expr)
	if len(parts) != len(fields) {
		msg := fmt.Sprintf("expected 5 fields (minute, hour, day of month, month, day of week), found %d", len(parts))
		if len(parts) == 6 || len(parts) == 7 {
			msg += "; Cloudflare cron has no seconds or year field"
		}
		return nil, fmt.Errorf("cron %q: %s", expr, msg)
	}
	s := &Schedule{expr: expr}
	for i, f := range fields {
		if err := f.parse(s, parts[i]); err != nil {
			return nil, fmt.Errorf("cron %q: %s: %w", expr, f.name, err)
		}
	}
	return s, nil
}

// parse parses one field's text into s.
func (f field) parse(s *Schedule, text string) error {
	for _, c := range text {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || strings.ContainsRune("*,-/#?", c)) {
			return fmt.Errorf("unexpected character %q in %q", c, text)
		}
	}
	star := text == "*" || text == "?" && (f.kind == domField || f.kind == dowField)
	if star {
		text = "*"
	}
	var plain uint64
	for _, elem := range strings.Split(text, ",") {
		if elem == "" {
			return fmt.Errorf("empty list element in %q", text)
		}
		// Every character is ASCII, so up has the same indexes as elem.
		up := strings.ToUpper(elem)
		if up == "?" {
			if f.kind == domField || f.kind == dowField {
				return errors.New("? must be the whole field")
			}
			return errors.New("? is only allowed in day of month and day of week")
		}
		var special bool
		var err error
		switch f.kind {
		case domField:
			special, err = parseDOMSpecial(s, elem, up)
		case dowField:
			special, err = parseDOWSpecial(s, elem, up)
		}
		if err != nil {
			return err
		}
		if special {
			continue
		}
		bits, err := f.parseRange(elem, up)
		if err != nil {
			if better := f.misplaced(up); better != nil {
				return better
			}
			return err
		}
		plain |= bits
	}

	switch f.kind {
	case minuteField:
		s.minutes = plain
	case hourField:
		s.hours = plain
	case domField:
		s.domAny, s.domDays = star, plain
	case monthField:
		s.months = plain
	case dowField:
		s.dowAny = star
		s.dowDays |= uint8(plain >> 1) // Quartz 1-7 to time.Weekday 0-6
	}
	return nil
}

// parseRange parses `*`, `v`, `a-b` with an optional `/step`, returning the values
// as bits. `v/step` runs from v to the field's maximum; `a-b` with a > b wraps.
func (f field) parseRange(elem, up string) (uint64, error) {
	rng, stepText, hasStep := strings.Cut(elem, "/")
	step := 1
	if hasStep {
		n, err := strconv.Atoi(stepText)
		if err != nil || !isDigits(stepText) {
			return 0, fmt.Errorf("step %q in %q is not a number", stepText, elem)
		}
		if n < 1 || n > f.max {
			return 0, fmt.Errorf("step %d in %q is out of range 1-%d", n, elem, f.max)
		}
		step = n
	}
	var lo, hi int
	if rng == "*" {
		lo, hi = f.min, f.max
	} else if a, b, isRange := strings.Cut(rng, "-"); isRange {
		if a == "" || b == "" {
			return 0, fmt.Errorf("%q is not a valid range", elem)
		}
		var err error
		if lo, err = f.parseValue(a); err != nil {
			return 0, err
		}
		if hi, err = f.parseValue(b); err != nil {
			return 0, err
		}
	} else {
		var err error
		if lo, err = f.parseValue(rng); err != nil {
			return 0, err
		}
		hi = lo
		if hasStep {
			hi = f.max
		}
	}
	size := f.max - f.min + 1
	if hi < lo {
		hi += size
	}
	var bits uint64
	for v := lo; v <= hi; v += step {
		if v > f.max {
			bits |= 1 << uint(v-size)
		} else {
			bits |= 1 << uint(v)
		}
	}
	return bits, nil
}

// parseValue parses one number or (in month and day of week) three-letter name.
func (f field) parseValue(s string) (int, error) {
	if s == "" {
		return 0, errors.New("missing value")
	}
	if isDigits(s) {
		n, err := strconv.Atoi(s)
		if err != nil || n < f.min || n > f.max {
			return 0, fmt.Errorf("%s is out of range %d-%d%s", s, f.min, f.max, f.hint)
		}
		return n, nil
	}
	if f.names != nil {
		for i, name := range f.names {
			if strings.EqualFold(s, name) {
				return f.min + i, nil
			}
		}
		return 0, fmt.Errorf("%q is not a %s: use %d-%d or %s-%s", s, f.name, f.min, f.max, f.names[0], f.names[len(f.names)-1])
	}
	return 0, fmt.Errorf("%q is not a number", s)
}

// misplaced explains a token that failed to parse because it uses a special
// character that belongs to another field; it returns nil if that is not the case.
func (f field) misplaced(up string) error {
	switch {
	case strings.Contains(up, "#") && f.kind != dowField:
		return fmt.Errorf("%q: # is only allowed in day of week", up)
	case f.kind != domField && afterDigitOrAlone(up, 'W'):
		return fmt.Errorf("%q: W is only allowed in day of month", up)
	case f.kind != domField && f.kind != dowField && afterDigitOrAlone(up, 'L'):
		return fmt.Errorf("%q: L is only allowed in day of month and day of week", up)
	}
	return nil
}

// afterDigitOrAlone reports whether up is the letter c alone, starts with c
// followed by a non-letter (L-3, LW), or has c right after a digit (15W, 6L).
func afterDigitOrAlone(up string, c byte) bool {
	for i := 0; i < len(up); i++ {
		if up[i] != c {
			continue
		}
		if i > 0 && up[i-1] >= '0' && up[i-1] <= '9' {
			return true
		}
		if i == 0 && (len(up) == 1 || up[1] < 'A' || up[1] > 'Z' || up[1] == 'W') {
			return true
		}
	}
	return false
}

// parseDOMSpecial handles the day-of-month forms L, L-n, LW and nW. It reports
// whether elem was one of them (or an invalid use of L or W).
func parseDOMSpecial(s *Schedule, elem, up string) (bool, error) {
	switch {
	case up == "L":
		s.domLast |= 1
	case up == "LW":
		s.domLastWeekday = true
	case strings.HasPrefix(up, "L-"):
		n, err := strconv.Atoi(up[2:])
		if err != nil || !isDigits(up[2:]) || n > 30 {
			return true, fmt.Errorf("%q: the offset in L-n must be a number 0-30", elem)
		}
		s.domLast |= 1 << uint(n)
	case strings.HasSuffix(up, "W"):
		day := elem[:len(elem)-1]
		if !isDigits(day) {
			return true, fmt.Errorf("%q: W must follow a single day, as in 15W, or be LW", elem)
		}
		n, err := fields[domField].parseValue(day)
		if err != nil {
			return true, err
		}
		s.domNearest |= 1 << uint(n)
	case strings.ContainsAny(up, "LW"):
		return true, fmt.Errorf("%q: day of month allows L, L-n, LW and nW", elem)
	case strings.Contains(up, "#"):
		return true, fmt.Errorf("%q: # is only allowed in day of week", elem)
	default:
		return false, nil
	}
	return true, nil
}

// parseDOWSpecial handles the day-of-week forms L (Saturday), dL and d#n. It
// reports whether elem was one of them.
func parseDOWSpecial(s *Schedule, elem, up string) (bool, error) {
	f := fields[dowField]
	switch {
	case up == "L":
		s.dowDays |= 1 << 6 // Saturday, as in Quartz
	case up == "LW" || afterDigitOrAlone(up, 'W'):
		return true, fmt.Errorf("%q: W is only allowed in day of month", elem)
	case strings.Contains(up, "#"):
		dayText, nText, _ := strings.Cut(elem, "#")
		day, err := f.parseSingle(elem, dayText, "#")
		if err != nil {
			return true, err
		}
		n, err := strconv.Atoi(nText)
		if err != nil || !isDigits(nText) {
			return true, fmt.Errorf("%q: the occurrence after # must be a number 1-5", elem)
		}
		if n < 1 || n > 5 {
			return true, fmt.Errorf("%q: occurrence %d is out of range 1-5", elem, n)
		}
		s.dowNth[n-1] |= 1 << uint(day-1)
	case strings.HasSuffix(up, "L"):
		day, err := f.parseSingle(elem, elem[:len(elem)-1], "L")
		if err != nil {
			return true, err
		}
		s.dowLast |= 1 << uint(day-1)
	case strings.HasPrefix(up, "L"):
		return true, fmt.Errorf("%q: L in day of week must stand alone or follow a day, as in 6L", elem)
	default:
		return false, nil
	}
	return true, nil
}

// parseSingle parses the single day that must precede suffix in elem (6L, FRI#2).
func (f field) parseSingle(elem, day, suffix string) (int, error) {
	if day == "" || strings.ContainsAny(day, "*-/,?") {
		return 0, fmt.Errorf("%q: %s must follow a single day", elem, suffix)
	}
	return f.parseValue(day)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
