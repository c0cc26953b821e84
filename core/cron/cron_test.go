package cron_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ferry-run/ferry/core/cron"
)

// at parses "2006-01-02 15:04" (or with ":05") as UTC.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	layout := "2006-01-02 15:04"
	if strings.Count(s, ":") == 2 {
		layout += ":05"
	}
	v, err := time.Parse(layout, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustParse(t testing.TB, expr string) *cron.Schedule {
	t.Helper()
	s, err := cron.Parse(expr)
	if err != nil {
		t.Fatalf("Parse(%q): %v", expr, err)
	}
	return s
}

func TestNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		expr string
		from string
		want []string // successive fire times; "" means none (zero Time)
	}{
		// Every example on Cloudflare's "Cron Triggers" page.
		{"doc sunday by name", "0 17 * * sun", "2025-01-01 00:00", []string{"2025-01-05 17:00", "2025-01-12 17:00"}},
		{"doc sunday is 1", "0 17 * * 1", "2025-01-01 00:00", []string{"2025-01-05 17:00", "2025-01-12 17:00"}},
		{"doc mon-fri", "10 7 * * mon-fri", "2025-01-03 08:00", []string{"2025-01-06 07:10", "2025-01-07 07:10", "2025-01-08 07:10", "2025-01-09 07:10", "2025-01-10 07:10", "2025-01-13 07:10"}},
		{"doc 2-6 is mon-fri", "10 7 * * 2-6", "2025-01-03 08:00", []string{"2025-01-06 07:10", "2025-01-07 07:10", "2025-01-08 07:10", "2025-01-09 07:10", "2025-01-10 07:10", "2025-01-13 07:10"}},
		{"doc 6L last friday", "0 18 * * 6L", "2025-01-01 00:00", []string{"2025-01-31 18:00", "2025-02-28 18:00", "2025-03-28 18:00"}},
		{"doc friL last friday", "0 18 * * friL", "2025-01-01 00:00", []string{"2025-01-31 18:00", "2025-02-28 18:00", "2025-03-28 18:00"}},
		{"doc LW last weekday", "59 23 LW * *", "2025-01-01 00:00", []string{"2025-01-31 23:59", "2025-02-28 23:59", "2025-03-31 23:59", "2025-04-30 23:59", "2025-05-30 23:59"}},
		{"doc every 3 minutes", "*/3 * * * *", "2025-01-01 10:59:30", []string{"2025-01-01 11:00", "2025-01-01 11:03", "2025-01-01 11:06"}},
		{"doc first of month", "0 15 1 * *", "2025-01-01 15:00", []string{"2025-02-01 15:00", "2025-03-01 15:00"}},

		// Strictly after, second 0.
		{"on a fire time", "* * * * *", "2025-01-01 10:00", []string{"2025-01-01 10:01", "2025-01-01 10:02"}},
		{"seconds dropped", "* * * * *", "2025-01-01 10:00:59", []string{"2025-01-01 10:01"}},
		{"hour rollover", "0 * * * *", "2025-01-01 10:00", []string{"2025-01-01 11:00"}},
		{"minute list in later hour", "5,50 * * * *", "2025-01-01 10:51", []string{"2025-01-01 11:05", "2025-01-01 11:50"}},

		// Month, year and leap-year boundaries.
		{"31st skips short months", "0 0 31 * *", "2025-01-31 00:00", []string{"2025-03-31 00:00", "2025-05-31 00:00", "2025-07-31 00:00", "2025-08-31 00:00"}},
		{"30th skips february", "0 0 30 * *", "2025-01-30 00:00", []string{"2025-03-30 00:00"}},
		{"new year", "0 0 1 1 *", "2025-12-31 23:59:59", []string{"2026-01-01 00:00", "2027-01-01 00:00"}},
		{"last minute of year", "59 23 31 12 *", "2025-12-31 23:59", []string{"2026-12-31 23:59"}},
		{"end of day to next day", "0 0 * * *", "2025-02-28 23:59", []string{"2025-03-01 00:00"}},
		{"leap day", "0 0 29 2 *", "2025-01-01 00:00", []string{"2028-02-29 00:00", "2032-02-29 00:00"}},
		{"leap day from leap day", "0 0 29 2 *", "2024-02-29 00:00", []string{"2028-02-29 00:00"}},
		{"2100 is not leap", "0 0 29 2 *", "2099-03-01 00:00", []string{"2104-02-29 00:00"}},
		{"2000 is leap", "0 0 29 2 *", "1999-01-01 00:00", []string{"2000-02-29 00:00", "2004-02-29 00:00"}},
		{"leap day beyond 5 years", "0 0 29 2 *", "2096-03-01 00:00", []string{""}},
		{"just over 5 years is none", "0 0 ? 2 5#5", "2019-02-28 23:59", []string{""}},
		{"just under 5 years fires", "0 0 ? 2 5#5", "2019-03-01 00:00", []string{"2024-02-29 00:00"}},
		{"never: feb 30", "0 0 30 2 *", "2025-01-01 00:00", []string{""}},
		{"never: apr 31", "0 0 31 apr *", "2025-01-01 00:00", []string{""}},
		{"5 thursdays in feb is rare", "0 0 ? 2 5#5", "2024-01-01 00:00", []string{"2024-02-29 00:00", ""}},

		// L, L-n, LW, nW.
		{"L last day", "0 0 L * *", "2024-01-31 00:00", []string{"2024-02-29 00:00", "2024-03-31 00:00", "2024-04-30 00:00"}},
		{"L in february", "0 0 L 2 *", "2024-03-01 00:00", []string{"2025-02-28 00:00"}},
		{"L-2", "0 0 L-2 * *", "2025-01-01 00:00", []string{"2025-01-29 00:00", "2025-02-26 00:00", "2025-03-29 00:00"}},
		{"L-0 is L", "0 0 L-0 * *", "2025-01-01 00:00", []string{"2025-01-31 00:00"}},
		{"L-30 only in 31-day months", "0 0 L-30 * *", "2025-01-02 00:00", []string{"2025-03-01 00:00", "2025-05-01 00:00"}},
		{"LW saturday end moves to friday", "0 0 LW 5 *", "2025-01-01 00:00", []string{"2025-05-30 00:00"}},
		{"LW sunday end moves to friday", "0 0 LW 8 *", "2025-01-01 00:00", []string{"2025-08-29 00:00"}},
		{"15W saturday moves back", "0 9 15W 3 *", "2025-01-01 00:00", []string{"2025-03-14 09:00"}},
		{"15W sunday moves forward", "0 9 15W 6 *", "2025-01-01 00:00", []string{"2025-06-16 09:00"}},
		{"15W on a weekday stays", "0 9 15W 1 *", "2025-01-01 00:00", []string{"2025-01-15 09:00"}},
		{"1W saturday stays in month", "0 9 1W 2 *", "2025-01-01 00:00", []string{"2025-02-03 09:00"}},
		{"1W sunday", "0 9 1W 6 *", "2025-01-01 00:00", []string{"2025-06-02 09:00"}},
		{"31W sunday stays in month", "0 9 31W 8 *", "2025-01-01 00:00", []string{"2025-08-29 09:00"}},
		{"31W saturday", "0 9 31W 5 *", "2025-01-01 00:00", []string{"2025-05-30 09:00"}},
		{"31W skips 30-day months", "0 9 31W * *", "2025-03-31 10:00", []string{"2025-05-30 09:00", "2025-07-31 09:00"}},
		{"30W in february never", "0 9 30W 2 *", "2025-01-01 00:00", []string{""}},
		{"lowercase l and w", "0 0 lw 5 *", "2025-01-01 00:00", []string{"2025-05-30 00:00"}},
		{"list with L and W", "0 0 1,15W,L 3 *", "2025-01-01 00:00", []string{"2025-03-01 00:00", "2025-03-14 00:00", "2025-03-31 00:00"}},

		// Day of week: names, ranges, L, #.
		{"first monday", "0 8 * * 2#1", "2025-01-01 00:00", []string{"2025-01-06 08:00", "2025-02-03 08:00"}},
		{"second friday by name", "0 8 ? * FRI#2", "2025-01-01 00:00", []string{"2025-01-10 08:00", "2025-02-14 08:00"}},
		{"fifth friday skips months", "0 8 * * fri#5", "2025-01-01 00:00", []string{"2025-01-31 08:00", "2025-05-30 08:00", "2025-08-29 08:00", "2025-10-31 08:00", "2026-01-30 08:00"}},
		{"L alone is saturday", "0 0 * * L", "2025-01-01 00:00", []string{"2025-01-04 00:00", "2025-01-11 00:00"}},
		{"7 is saturday", "0 0 * * 7", "2025-01-01 00:00", []string{"2025-01-04 00:00"}},
		{"last sunday", "0 0 * * 1L", "2025-08-01 00:00", []string{"2025-08-31 00:00", "2025-09-28 00:00"}},
		{"weekend wraps fri-mon", "0 12 * * fri-mon", "2025-01-01 00:00", []string{"2025-01-03 12:00", "2025-01-04 12:00", "2025-01-05 12:00", "2025-01-06 12:00", "2025-01-10 12:00"}},
		{"dow list mixes forms", "0 0 * * 4,6L", "2025-01-24 00:00", []string{"2025-01-29 00:00", "2025-01-31 00:00", "2025-02-05 00:00"}},
		{"dow step", "0 0 * * */2", "2025-01-01 00:00", []string{"2025-01-02 00:00", "2025-01-04 00:00", "2025-01-05 00:00", "2025-01-07 00:00"}},

		// Months: names, case, ranges.
		{"month names", "0 0 1 jan,Jul *", "2025-02-01 00:00", []string{"2025-07-01 00:00", "2026-01-01 00:00"}},
		{"month name range", "0 0 1 OCT-dec *", "2025-01-01 00:00", []string{"2025-10-01 00:00", "2025-11-01 00:00", "2025-12-01 00:00", "2026-10-01 00:00"}},
		{"month wrap", "0 0 1 nov-feb *", "2025-03-01 00:00", []string{"2025-11-01 00:00", "2025-12-01 00:00", "2026-01-01 00:00", "2026-02-01 00:00", "2026-11-01 00:00"}},
		{"month step", "0 0 1 */4 *", "2025-01-01 00:00", []string{"2025-05-01 00:00", "2025-09-01 00:00", "2026-01-01 00:00"}},

		// Steps and ranges in minutes and hours.
		{"step on range", "10-50/20 * * * *", "2025-01-01 00:00", []string{"2025-01-01 00:10", "2025-01-01 00:30", "2025-01-01 00:50", "2025-01-01 01:10"}},
		{"step from start", "5/20 * * * *", "2025-01-01 00:00", []string{"2025-01-01 00:05", "2025-01-01 00:25", "2025-01-01 00:45", "2025-01-01 01:05"}},
		{"hour range", "30 9-17/4 * * *", "2025-01-01 00:00", []string{"2025-01-01 09:30", "2025-01-01 13:30", "2025-01-01 17:30", "2025-01-02 09:30"}},
		{"hour wrap", "0 22-2 * * *", "2025-01-01 12:00", []string{"2025-01-01 22:00", "2025-01-01 23:00", "2025-01-02 00:00", "2025-01-02 01:00", "2025-01-02 02:00", "2025-01-02 22:00"}},
		{"minute wrap with step", "55-5/5 * * * *", "2025-01-01 00:56", []string{"2025-01-01 01:00", "2025-01-01 01:05", "2025-01-01 01:55"}},
		{"list of ranges", "0 1-2,20-21 * * *", "2025-01-01 02:00", []string{"2025-01-01 20:00", "2025-01-01 21:00", "2025-01-02 01:00"}},
		{"star in list", "0 *,5 * * *", "2025-01-01 02:00", []string{"2025-01-01 03:00"}},
		{"extra spaces", "  0   0\t1 * *  ", "2025-01-01 00:00", []string{"2025-02-01 00:00"}},

		// Day of month and day of week together: either matches.
		{"dom or dow", "0 0 13 * fri", "2025-06-01 00:00", []string{"2025-06-06 00:00", "2025-06-13 00:00", "2025-06-20 00:00", "2025-06-27 00:00", "2025-07-04 00:00", "2025-07-11 00:00", "2025-07-13 00:00"}},
		{"dom with ? dow", "0 0 13 * ?", "2025-06-01 00:00", []string{"2025-06-13 00:00", "2025-07-13 00:00"}},
		{"? dom with dow", "0 0 ? * fri", "2025-06-01 00:00", []string{"2025-06-06 00:00", "2025-06-13 00:00"}},
		{"LW or monday", "0 0 LW * 2", "2025-05-20 00:00", []string{"2025-05-26 00:00", "2025-05-30 00:00", "2025-06-02 00:00"}},
		{"feb 30 or monday", "0 0 30 2 mon", "2025-01-01 00:00", []string{"2025-02-03 00:00"}},
		{"dom step is restricted", "0 0 */10 * sun", "2024-12-31 23:59", []string{"2025-01-01 00:00", "2025-01-05 00:00", "2025-01-11 00:00", "2025-01-12 00:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := mustParse(t, tt.expr)
			from := at(t, tt.from)
			for i, w := range tt.want {
				got := s.Next(from)
				if w == "" {
					if !got.IsZero() {
						t.Fatalf("Next #%d after %v = %v, want none", i+1, from, got)
					}
					return
				}
				want := at(t, w)
				if !got.Equal(want) || got.Location() != time.UTC {
					t.Fatalf("Next #%d after %v = %v, want %v", i+1, from, got, want)
				}
				if !s.Matches(got) {
					t.Errorf("Matches(%v) = false for a time Next returned", got)
				}
				from = got
			}
		})
	}
}

func TestNextIgnoresZone(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	s := mustParse(t, "30 2 * * *")
	// New York springs forward at 02:00 local on 2025-03-09 and falls back on
	// 2025-11-02; the schedule is UTC, so fire times stay 24 hours apart.
	for _, day := range []string{"2025-03-08", "2025-11-01"} {
		t.Run(day, func(t *testing.T) {
			local, err := time.ParseInLocation("2006-01-02 15:04", day+" 23:00", ny)
			if err != nil {
				t.Fatal(err)
			}
			got := s.Next(local)
			if got.Location() != time.UTC || got.Hour() != 2 || got.Minute() != 30 {
				t.Fatalf("Next(%v) = %v, want 02:30 UTC", local, got)
			}
			for i := 0; i < 3; i++ {
				next := s.Next(got.In(ny))
				if d := next.Sub(got); d != 24*time.Hour {
					t.Fatalf("Next(%v) = %v, %v later; want 24h", got, next, d)
				}
				got = next
			}
		})
	}
	// The same instant in different zones gives the same answer.
	u := at(t, "2025-03-09 06:59")
	if a, b := s.Next(u), s.Next(u.In(ny)); !a.Equal(b) {
		t.Fatalf("Next differs by zone: %v vs %v", a, b)
	}
}

func TestMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		at   string
		want bool
	}{
		{"0 17 * * sun", "2025-01-05 17:00", true},
		{"0 17 * * sun", "2025-01-05 17:00:42", true}, // seconds ignored
		{"0 17 * * sun", "2025-01-05 17:01", false},
		{"0 17 * * sun", "2025-01-06 17:00", false},
		{"0 18 * * 6L", "2025-03-28 18:00", true},
		{"0 18 * * 6L", "2025-03-21 18:00", false},
		{"59 23 LW * *", "2025-08-29 23:59", true},
		{"59 23 LW * *", "2025-08-31 23:59", false},
		{"0 0 29 2 *", "2024-02-29 00:00", true},
		{"0 0 L * *", "2024-02-29 00:00", true},
		{"0 0 L * *", "2025-02-28 00:00", true},
		{"0 0 L * *", "2024-02-28 00:00", false},
		{"* * * * *", "2025-07-04 12:34:56", true},
		{"*/3 * * * *", "2025-07-04 12:33", true},
		{"*/3 * * * *", "2025-07-04 12:34", false},
		{"0 0 13 * fri", "2025-07-13 00:00", true}, // Sunday the 13th: day of month matches
		{"0 0 13 * fri", "2025-07-11 00:00", true}, // Friday: day of week matches
		{"0 0 13 * fri", "2025-07-12 00:00", false},
		{"0 0 1 jan *", "2025-02-01 00:00", false},
	}
	for _, tt := range tests {
		t.Run(tt.expr+" at "+tt.at, func(t *testing.T) {
			t.Parallel()
			if got := mustParse(t, tt.expr).Matches(at(t, tt.at)); got != tt.want {
				t.Fatalf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
	// A time given in another zone is converted to UTC first.
	s := mustParse(t, "0 17 * * *")
	if !s.Matches(at(t, "2025-01-05 17:00").In(time.FixedZone("X", -5*3600))) {
		t.Fatal("Matches depends on the time's zone")
	}
}

func TestString(t *testing.T) {
	t.Parallel()
	for _, expr := range []string{"0 18 * * friL", " */3 *  * * * "} {
		if got := mustParse(t, expr).String(); got != expr {
			t.Errorf("String() = %q, want %q", got, expr)
		}
	}
}

func TestParseEquivalents(t *testing.T) {
	t.Parallel()
	// Pairs the documentation (or Quartz) says are the same schedule.
	pairs := [][2]string{
		{"0 17 * * sun", "0 17 * * 1"},
		{"0 17 * * SUN", "0 17 * * Sun"},
		{"10 7 * * mon-fri", "10 7 * * 2-6"},
		{"10 7 * * MON-FRI", "10 7 * * 2,3,4,5,6"},
		{"0 18 * * 6L", "0 18 * * friL"},
		{"0 18 * * 6L", "0 18 * * FRIl"},
		{"0 0 1 aug *", "0 0 1 8 *"},
		{"0 0 1 AUG *", "0 0 1 Aug *"},
		{"0 0 ? * *", "0 0 * * ?"},
		{"0 0 ? * *", "0 0 * * *"},
		{"0 0 * * L", "0 0 * * sat"},
		{"0 0 L * *", "0 0 L-0 * *"},
		{"10-50/20 * * * *", "10,30,50 * * * *"},
		{"*/15 * * * *", "0/15 * * * *"},
		{"0 0 * * 2#1", "0 0 * * mon#1"},
	}
	for _, p := range pairs {
		t.Run(p[0]+" = "+p[1], func(t *testing.T) {
			t.Parallel()
			a, b := mustParse(t, p[0]), mustParse(t, p[1])
			from := at(t, "2025-01-01 00:00")
			for i := 0; i < 50; i++ {
				na, nb := a.Next(from), b.Next(from)
				if !na.Equal(nb) {
					t.Fatalf("after %v: %q fires %v, %q fires %v", from, p[0], na, p[1], nb)
				}
				from = na
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		want string // the error after `cron "<expr>": `
	}{
		{"", "expected 5 fields (minute, hour, day of month, month, day of week), found 0"},
		{"   ", "expected 5 fields (minute, hour, day of month, month, day of week), found 0"},
		{"* * * *", "expected 5 fields (minute, hour, day of month, month, day of week), found 4"},
		{"0 * * * * *", "expected 5 fields (minute, hour, day of month, month, day of week), found 6; Cloudflare cron has no seconds or year field"},
		{"@daily", "expected 5 fields (minute, hour, day of month, month, day of week), found 1"},

		{"61 * * * *", "minute: 61 is out of range 0-59"},
		{"60 * * * *", "minute: 60 is out of range 0-59"},
		{"* 24 * * *", "hour: 24 is out of range 0-23"},
		{"* * 0 * *", "day of month: 0 is out of range 1-31"},
		{"* * 32 * *", "day of month: 32 is out of range 1-31"},
		{"* * * 0 *", "month: 0 is out of range 1-12"},
		{"* * * 13 *", "month: 13 is out of range 1-12"},
		{"* * * * 0", "day of week: 0 is out of range 1-7 (1 is Sunday, 7 is Saturday)"},
		{"* * * * 8", "day of week: 8 is out of range 1-7 (1 is Sunday, 7 is Saturday)"},
		{"* * * * 1-8", "day of week: 8 is out of range 1-7 (1 is Sunday, 7 is Saturday)"},
		{"99999999999999999999 * * * *", "minute: 99999999999999999999 is out of range 0-59"},

		{"* * * * fry", `day of week: "fry" is not a day of week: use 1-7 or SUN-SAT`},
		{"* * * * monday", `day of week: "monday" is not a day of week: use 1-7 or SUN-SAT`},
		{"* * * janu *", `month: "janu" is not a month: use 1-12 or JAN-DEC`},
		{"* * * mon *", `month: "mon" is not a month: use 1-12 or JAN-DEC`},
		{"* * * * jan", `day of week: "jan" is not a day of week: use 1-7 or SUN-SAT`},
		{"five * * * *", `minute: "five" is not a number`},
		{"* * mon * *", `day of month: "mon" is not a number`},

		{"* * * * 2#0", `day of week: "2#0": occurrence 0 is out of range 1-5`},
		{"* * * * 2#6", `day of week: "2#6": occurrence 6 is out of range 1-5`},
		{"* * * * 2#", `day of week: "2#": the occurrence after # must be a number 1-5`},
		{"* * * * #2", `day of week: "#2": # must follow a single day`},
		{"* * * * 2-3#1", `day of week: "2-3#1": # must follow a single day`},
		{"* * * * 8#1", "day of week: 8 is out of range 1-7 (1 is Sunday, 7 is Saturday)"},
		{"* * 1#2 * *", `day of month: "1#2": # is only allowed in day of week`},
		{"1#2 * * * *", `minute: "1#2": # is only allowed in day of week`},

		{"5W * * * *", `minute: "5W": W is only allowed in day of month`},
		{"* 5W * * *", `hour: "5W": W is only allowed in day of month`},
		{"* * * 5W *", `month: "5W": W is only allowed in day of month`},
		{"* * * * 5W", `day of week: "5W": W is only allowed in day of month`},
		{"* * * * LW", `day of week: "LW": W is only allowed in day of month`},
		{"* * W * *", `day of month: "W": W must follow a single day, as in 15W, or be LW`},
		{"* * 1-5W * *", `day of month: "1-5W": W must follow a single day, as in 15W, or be LW`},
		{"* * 32W * *", "day of month: 32 is out of range 1-31"},
		{"* * 0W * *", "day of month: 0 is out of range 1-31"},

		{"L * * * *", `minute: "L": L is only allowed in day of month and day of week`},
		{"* 5L * * *", `hour: "5L": L is only allowed in day of month and day of week`},
		{"* * * L *", `month: "L": L is only allowed in day of month and day of week`},
		{"* * 5L * *", `day of month: "5L": day of month allows L, L-n, LW and nW`},
		{"* * L-31 * *", `day of month: "L-31": the offset in L-n must be a number 0-30`},
		{"* * L- * *", `day of month: "L-": the offset in L-n must be a number 0-30`},
		{"* * * * 8L", "day of week: 8 is out of range 1-7 (1 is Sunday, 7 is Saturday)"},
		{"* * * * L-2", `day of week: "L-2": L in day of week must stand alone or follow a day, as in 6L`},
		{"* * * * 1-3L", `day of week: "1-3L": L must follow a single day`},

		{"? * * * *", "minute: ? is only allowed in day of month and day of week"},
		{"* * * ? *", "month: ? is only allowed in day of month and day of week"},
		{"* * ?,1 * *", "day of month: ? must be the whole field"},

		{"*/0 * * * *", `minute: step 0 in "*/0" is out of range 1-59`},
		{"*/60 * * * *", `minute: step 60 in "*/60" is out of range 1-59`},
		{"* */24 * * *", `hour: step 24 in "*/24" is out of range 1-23`},
		{"*/x * * * *", `minute: step "x" in "*/x" is not a number`},
		{"*/ * * * *", `minute: step "" in "*/" is not a number`},
		{"1/2/3 * * * *", `minute: step "2/3" in "1/2/3" is not a number`},
		{"1-2-3 * * * *", `minute: "2-3" is not a number`},
		{"-5 * * * *", `minute: "-5" is not a valid range`},
		{"5- * * * *", `minute: "5-" is not a valid range`},
		{"1,,2 * * * *", `minute: empty list element in "1,,2"`},
		{"1, * * * *", `minute: empty list element in "1,"`},
		{"1.5 * * * *", `minute: unexpected character '.' in "1.5"`},
		{"* * * * ＭＯＮ", `day of week: unexpected character 'Ｍ' in "ＭＯＮ"`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			s, err := cron.Parse(tt.expr)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tt.expr, s)
			}
			want := `cron "` + tt.expr + `": ` + tt.want
			if got := err.Error(); got != want {
				t.Fatalf("Parse(%q) error\n got: %s\nwant: %s", tt.expr, got, want)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s := mustParse(t, "*/7 3-9 LW,15W * 2#2,6L")
	from := at(t, "2025-01-01 00:00")
	want := s.Next(from)
	done := make(chan time.Time)
	for i := 0; i < 8; i++ {
		go func() { done <- s.Next(from) }()
	}
	for i := 0; i < 8; i++ {
		if got := <-done; !got.Equal(want) {
			t.Fatalf("concurrent Next = %v, want %v", got, want)
		}
	}
}
