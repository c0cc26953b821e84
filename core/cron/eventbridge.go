package cron

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// maxEventBridgeExpr is the longest ScheduleExpression EventBridge's PutRule
// accepts.
const maxEventBridgeExpr = 256

// ToEventBridge translates a Workers cron expression into the schedule
// expression of an Amazon EventBridge rule, `cron(min hour dom month dow year)`,
// that fires at exactly the same minutes (both are UTC):
//
//	ToEventBridge("*/5 * * * *")      // "cron(0/5 * * * ? *)"
//	ToEventBridge("10 7 * * mon-fri") // "cron(10 7 ? * 2-6 *)"
//	ToEventBridge("0 18 * * 6L")      // "cron(0 18 ? * 6L *)"
//
// The translation works from the parsed schedule, not the text, so every
// field comes out in a form EventBridge documents: numbers rather than names,
// wrapped ranges (22-2, FRI-MON) as lists, steps in day of week (which
// EventBridge does not allow there) as lists, and `?` in whichever of day of
// month and day of week does not restrict the schedule, as EventBridge
// requires. Day-of-week numbers need no change: Workers and EventBridge both
// count 1 = Sunday to 7 = Saturday.
//
// It fails, naming the field, for schedules EventBridge cannot express:
//   - day of month and day of week both restricted (Workers fires when either
//     matches; EventBridge needs one of them to be `?`): use two crons;
//   - L-n (n > 0), which is not in EventBridge's syntax;
//   - L, LW, nW, dL or d#n in a list with anything else (EventBridge allows
//     them only alone);
//   - a result longer than EventBridge's 256-character limit.
func ToEventBridge(expr string) (string, error) {
	s, err := Parse(expr)
	if err != nil {
		return "", err
	}
	parts := strings.Fields(expr)
	fail := func(format string, args ...any) (string, error) {
		return "", fmt.Errorf("cron %q: "+format, append([]any{expr}, args...)...)
	}

	domAll := !s.domAny && s.domDays&allDays(31) == allDays(31)
	dowAll := !s.dowAny && s.dowDays == 0x7f
	var dom, dow string
	switch {
	case domAll || dowAll || s.domAny && s.dowAny:
		// Every day: with either field covering every day, Workers' "either
		// matches" rule makes the other one irrelevant.
		dom, dow = "*", "?"
	case s.domAny:
		dom = "?"
		if dow, err = s.eventBridgeDOW(); err != nil {
			return fail("day of week %q: %v", parts[4], err)
		}
	case s.dowAny:
		dow = "?"
		if dom, err = s.eventBridgeDOM(); err != nil {
			return fail("day of month %q: %v", parts[2], err)
		}
	default:
		return fail("EventBridge cannot restrict both day of month (%s) and day of week (%s): "+
			"Workers fires when either matches, EventBridge needs one of them to be ?; "+
			"split it into two cron triggers, %q and %q",
			parts[2], parts[4],
			strings.Join([]string{parts[0], parts[1], parts[2], parts[3], "*"}, " "),
			strings.Join([]string{parts[0], parts[1], "*", parts[3], parts[4]}, " "))
	}

	out := "cron(" + strings.Join([]string{
		list(s.minutes, 0, 59, true),
		list(s.hours, 0, 23, true),
		dom,
		list(s.months, 1, 12, true),
		dow,
		"*",
	}, " ") + ")"
	if len(out) > maxEventBridgeExpr {
		return fail("the EventBridge expression %s is %d characters, over EventBridge's limit of %d", out, len(out), maxEventBridgeExpr)
	}
	return out, nil
}

// allDays returns bits 1..n.
func allDays(n int) uint64 { return uint64(1)<<uint(n+1) - 2 }

// eventBridgeDOM renders a restricted day-of-month field.
func (s *Schedule) eventBridgeDOM() (string, error) {
	specials := bits.OnesCount64(s.domLast) + bits.OnesCount64(s.domNearest)
	if s.domLastWeekday {
		specials++
	}
	switch {
	case specials == 0:
		return list(s.domDays, 1, 31, true), nil
	case specials > 1 || s.domDays != 0:
		return "", fmt.Errorf("EventBridge allows L, LW and nW only alone, not in a list")
	case s.domLastWeekday:
		return "LW", nil
	case s.domNearest != 0:
		return strconv.Itoa(bits.TrailingZeros64(s.domNearest)) + "W", nil
	case s.domLast == 1:
		return "L", nil
	default:
		return "", fmt.Errorf("EventBridge has no L-n (the n-th day before the last); use L, LW or explicit days")
	}
}

// eventBridgeDOW renders a restricted day-of-week field in 1-7 numbering.
func (s *Schedule) eventBridgeDOW() (string, error) {
	specials := bits.OnesCount8(s.dowLast)
	nth := -1
	for k, w := range s.dowNth {
		specials += bits.OnesCount8(w)
		if w != 0 {
			nth = k
		}
	}
	switch {
	case specials == 0:
		// time.Weekday bits 0-6 to 1-7; EventBridge has no steps here, so
		// no step form.
		return list(uint64(s.dowDays)<<1, 1, 7, false), nil
	case specials > 1 || s.dowDays != 0:
		return "", fmt.Errorf("EventBridge allows dL and d#n only alone, not in a list")
	case s.dowLast != 0:
		return strconv.Itoa(bits.TrailingZeros8(s.dowLast)+1) + "L", nil
	default:
		return fmt.Sprintf("%d#%d", bits.TrailingZeros8(s.dowNth[nth])+1, nth+1), nil
	}
}

// list renders the values set in b (bits lo..hi) as `*`, as `start/step` when
// they are an arithmetic progression of at least three values that runs to
// the end of the field (only if withStep), or as a comma list of values and
// `a-b` ranges in increasing order.
func list(b uint64, lo, hi int, withStep bool) string {
	var vals []int
	for v := lo; v <= hi; v++ {
		if b&(1<<uint(v)) != 0 {
			vals = append(vals, v)
		}
	}
	if len(vals) == hi-lo+1 {
		return "*"
	}
	if withStep && len(vals) >= 3 {
		step := vals[1] - vals[0]
		prog := step > 1 && vals[len(vals)-1]+step > hi
		for i := 2; prog && i < len(vals); i++ {
			prog = vals[i]-vals[i-1] == step
		}
		if prog {
			return fmt.Sprintf("%d/%d", vals[0], step)
		}
	}
	var out []string
	for i := 0; i < len(vals); {
		j := i
		for j+1 < len(vals) && vals[j+1] == vals[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			out = append(out, fmt.Sprintf("%d-%d", vals[i], vals[j]))
		case j == i+1:
			out = append(out, strconv.Itoa(vals[i]), strconv.Itoa(vals[j]))
		default:
			out = append(out, strconv.Itoa(vals[i]))
		}
		i = j + 1
	}
	return strings.Join(out, ",")
}
