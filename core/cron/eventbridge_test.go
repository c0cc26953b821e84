package cron_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ferry-run/ferry/core/cron"
)

func TestToEventBridge(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		// Cloudflare's documented examples.
		{"0 17 * * sun", "cron(0 17 ? * 1 *)"},
		{"10 7 * * mon-fri", "cron(10 7 ? * 2-6 *)"},
		{"10 7 * * 2-6", "cron(10 7 ? * 2-6 *)"},
		{"0 18 * * 6L", "cron(0 18 ? * 6L *)"},
		{"0 18 * * friL", "cron(0 18 ? * 6L *)"},
		{"59 23 LW * *", "cron(59 23 LW * ? *)"},
		{"*/3 * * * *", "cron(0/3 * * * ? *)"},
		{"0 15 1 * *", "cron(0 15 1 * ? *)"},

		// Every day: ? goes in day of week.
		{"* * * * *", "cron(* * * * ? *)"},
		{"0 0 ? * ?", "cron(0 0 * * ? *)"},
		{"0 0 ? * *", "cron(0 0 * * ? *)"},
		{"0 0 * * ?", "cron(0 0 * * ? *)"},
		// A field listing every day makes the other irrelevant (either matches).
		{"0 0 15 * 1-7", "cron(0 0 * * ? *)"},
		{"0 0 1-31 * MON", "cron(0 0 * * ? *)"},
		{"0 0 ? * sun-sat", "cron(0 0 * * ? *)"},

		// Steps, ranges and lists.
		{"5/20 * * * *", "cron(5/20 * * * ? *)"},
		{"10-50/20 * * * *", "cron(10/20 * * * ? *)"},
		{"10-40/10 * * * *", "cron(10,20,30,40 * * * ? *)"},
		{"0-30/15 * * * *", "cron(0,15,30 * * * ? *)"},
		{"5,50 * * * *", "cron(5,50 * * * ? *)"},
		{"1,2,3,7 * * * *", "cron(1-3,7 * * * ? *)"},
		{"30 9-17/4 * * *", "cron(30 9,13,17 * * ? *)"},
		{"30 9/4 * * *", "cron(30 9/4 * * ? *)"},
		{"0 22-2 * * *", "cron(0 0-2,22,23 * * ? *)"},
		{"0 0 1 nov-feb *", "cron(0 0 1 1,2,11,12 ? *)"},
		{"0 0 1 */4 *", "cron(0 0 1 1/4 ? *)"},
		{"0 0 1 JAN,jul *", "cron(0 0 1 1,7 ? *)"},
		{"0 0 1,15 * *", "cron(0 0 1,15 * ? *)"},
		{"0 0 */2 * *", "cron(0 0 1/2 * ? *)"},

		// Day of week: names to numbers, wraps and steps as lists (no / there).
		{"0 12 * * fri-mon", "cron(0 12 ? * 1,2,6,7 *)"},
		{"0 0 * * */2", "cron(0 0 ? * 1,3,5,7 *)"},
		{"0 0 * * L", "cron(0 0 ? * 7 *)"},
		{"0 0 * * 7", "cron(0 0 ? * 7 *)"},
		{"0 0 ? * 1L", "cron(0 0 ? * 1L *)"},
		{"0 8 * * 2#1", "cron(0 8 ? * 2#1 *)"},
		{"0 8 ? * FRI#2", "cron(0 8 ? * 6#2 *)"},
		{"0 8 * * sat#5", "cron(0 8 ? * 7#5 *)"},

		// Day of month specials.
		{"0 0 L * *", "cron(0 0 L * ? *)"},
		{"0 0 L-0 * *", "cron(0 0 L * ? *)"},
		{"0 9 15W * *", "cron(0 9 15W * ? *)"},
		{"0 9 1w * ?", "cron(0 9 1W * ? *)"},
	}
	for _, tt := range tests {
		got, err := cron.ToEventBridge(tt.in)
		if err != nil {
			t.Errorf("ToEventBridge(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ToEventBridge(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestToEventBridgeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"0 0 1 * MON", `cron "0 0 1 * MON": EventBridge cannot restrict both day of month (1) and day of week (MON): Workers fires when either matches, EventBridge needs one of them to be ?; split it into two cron triggers, "0 0 1 * *" and "0 0 * * MON"`},
		{"0 0 L * 6L", `cron "0 0 L * 6L": EventBridge cannot restrict both day of month (L) and day of week (6L)`},
		{"0 0 L-2 * *", `cron "0 0 L-2 * *": day of month "L-2": EventBridge has no L-n (the n-th day before the last); use L, LW or explicit days`},
		{"0 0 1,L * *", `cron "0 0 1,L * *": day of month "1,L": EventBridge allows L, LW and nW only alone, not in a list`},
		{"0 0 1W,15W * *", `cron "0 0 1W,15W * *": day of month "1W,15W": EventBridge allows L, LW and nW only alone, not in a list`},
		{"0 0 * * 2#1,6#3", `cron "0 0 * * 2#1,6#3": day of week "2#1,6#3": EventBridge allows dL and d#n only alone, not in a list`},
		{"0 0 * * 4,6L", `cron "0 0 * * 4,6L": day of week "4,6L": EventBridge allows dL and d#n only alone, not in a list`},
		// Parse errors come through unchanged.
		{"0 17 * * 0", `cron "0 17 * * 0": day of week: 0 is out of range 1-7 (1 is Sunday, 7 is Saturday)`},
		{"0 0 * * * *", `cron "0 0 * * * *": expected 5 fields`},
	}
	for _, tt := range tests {
		got, err := cron.ToEventBridge(tt.in)
		if err == nil {
			t.Errorf("ToEventBridge(%q) = %q, want an error", tt.in, got)
			continue
		}
		if !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ToEventBridge(%q) error:\n got %s\nwant %s", tt.in, err, tt.want)
		}
	}
}

// TestToEventBridgeSameSchedule checks that each translation fires at the
// same minutes as the original: EventBridge's fields (without the year and
// with ? read as "any") are also a valid Workers cron, and the two schedules
// must agree on every fire time over several years.
func TestToEventBridgeSameSchedule(t *testing.T) {
	t.Parallel()
	exprs := []string{
		"*/3 * * * *", "5/20 1-3 * * *", "10-50/20 */5 * * *", "0 22-2 * * *", "0 12 * * fri-mon",
		"0 0 * * */2", "0 0 * * L", "0 18 * * 6L", "0 8 ? * FRI#2", "0 8 * * sat#5", "59 23 LW * *",
		"0 0 L 2 *", "0 9 1W * *", "0 9 31W * *", "0 0 15 * 1-7", "0 0 1 nov-feb *", "0 0 */2 */3 *",
		"0 0 29 2 *", "7,8,9,30-40/3 0,12 1-10,20 * ?",
	}
	for _, expr := range exprs {
		eb, err := cron.ToEventBridge(expr)
		if err != nil {
			t.Errorf("ToEventBridge(%q): %v", expr, err)
			continue
		}
		fields := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(eb, "cron("), ")"))
		if len(fields) != 6 || fields[5] != "*" {
			t.Errorf("ToEventBridge(%q) = %q: want six fields ending in *", expr, eb)
			continue
		}
		if (fields[2] == "?") == (fields[4] == "?") {
			t.Errorf("ToEventBridge(%q) = %q: exactly one of day of month and day of week must be ?", expr, eb)
		}
		orig := mustParse(t, expr)
		back, err := cron.Parse(strings.Join(fields[:5], " "))
		if err != nil {
			t.Errorf("ToEventBridge(%q) = %q, which does not parse back: %v", expr, eb, err)
			continue
		}
		a, b := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 2000; i++ {
			a, b = orig.Next(a), back.Next(b)
			if !a.Equal(b) {
				t.Errorf("%q and its translation %q differ: %v vs %v", expr, eb, a, b)
				break
			}
			if a.IsZero() {
				break
			}
		}
	}
}
