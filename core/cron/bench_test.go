package cron_test

import (
	"testing"
	"time"

	"github.com/ferry-run/ferry/core/cron"
)

// BenchmarkNext measures one Next call. "never" is the worst case: Next searches
// all 61 months of its five-year window before giving up.
func BenchmarkNext(b *testing.B) {
	from := time.Date(2025, 1, 1, 0, 0, 30, 0, time.UTC)
	for _, bc := range []struct{ name, expr string }{
		{"every3min", "*/3 * * * *"},
		{"weekdays", "10 7 * * mon-fri"},
		{"lastFriday", "0 18 * * 6L"},
		{"lastWeekday", "59 23 LW * *"},
		{"leapDay", "0 0 29 2 *"},
		{"never", "0 0 30 2 *"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, err := cron.Parse(bc.expr)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				s.Next(from)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cron.Parse("*/7 3-9 LW,15W * 2#2,fri-mon"); err != nil {
			b.Fatal(err)
		}
	}
}
