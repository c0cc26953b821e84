// Package cron parses Cloudflare Workers cron triggers (`triggers.crons` in
// wrangler.toml) and computes when they fire. The dev server's scheduler uses it
// directly; the AWS deployment translates the same schedules to EventBridge.
//
// The dialect is the one Cloudflare documents on its "Cron Triggers" page: five
// fields, always evaluated in UTC, with "most Quartz scheduler-like extensions":
//
//	field          values                              characters
//	minute         0-59                                * , - /
//	hour           0-23                                * , - /
//	day of month   1-31                                * , - / L W ?
//	month          1-12 or JAN-DEC                     * , - /
//	day of week    1-7 (1 = Sunday) or SUN-SAT         * , - / L # ?
//
// Names are three letters, case-insensitive. Day-of-week numbers follow Quartz, not
// Unix cron: 1 is Sunday and 7 is Saturday, so `10 7 * * 2-6` is Monday to Friday
// and 0 is rejected. The special forms are:
//
//	L      day of month: the last day of the month; day of week alone: 7 (Saturday)
//	L-n    day of month: n days before the last day (L-0 = L, n = 0-30)
//	LW     day of month: the last weekday (Monday-Friday) of the month
//	nW     day of month: the weekday nearest to day n, never leaving the month
//	       (Quartz rules: Saturday the 1st moves to Monday the 3rd, Sunday the last
//	       day moves to the Friday before)
//	dL     day of week: the last day d of the month (6L or FRIL: last Friday)
//	d#n    day of week: the n-th day d of the month, n = 1-5 (2#1: first Monday)
//	?      day of month or day of week: the same as * (as in pasted Quartz
//	       expressions); it must be the whole field
//
// Steps apply to `*`, to a single start value (`5/15` = 5 through the field's
// maximum every 15) and to ranges (`10-50/20` = 10, 30, 50); a step is 1 through the
// field's maximum, as in Quartz.
//
// Assumptions where Cloudflare's documentation is silent (chosen to follow Quartz
// or standard cron, and to accept rather than reject):
//   - When both day of month and day of week are restricted (neither field is exactly
//     `*` or `?`), a day matches if EITHER matches, as in standard (Vixie) cron.
//     Quartz instead requires one of them to be `?`. With one field `*` or `?`, only
//     the other one counts.
//   - Ranges whose start is after their end wrap around, as in Quartz: `22-2` hours is
//     22, 23, 0, 1, 2; `FRI-MON` is Friday to Monday.
//   - L, LW, L-n, nW, dL and d#n may be list elements (`1,15W,L`); Quartz allows them
//     only alone. They cannot take ranges or steps.
//   - nW and plain days beyond the end of a month (31W in April) do not fire that month.
//
// Example:
//
//	s, err := cron.Parse("0 18 * * FRIL") // 18:00 UTC on the last Friday of each month
//	if err != nil { ... }
//	next := s.Next(time.Now()) // strictly after now, UTC, second 0
package cron

import (
	"math/bits"
	"time"
)

// Schedule is a parsed cron expression. It is immutable and safe for concurrent use.
type Schedule struct {
	expr string

	minutes uint64 // bit m for minute m
	hours   uint64 // bit h for hour h
	months  uint64 // bit m for month m (1-12)

	domAny, dowAny bool // field was exactly * or ?

	// Day of month: bits indexed by day number 1-31.
	domDays        uint64
	domLast        uint64 // bit n: L-n (L is L-0)
	domLastWeekday bool   // LW
	domNearest     uint64 // bit n: nW

	// Day of week: bits indexed by time.Weekday (0 = Sunday).
	dowDays uint8
	dowLast uint8    // bit w: wL, the last w of the month
	dowNth  [5]uint8 // dowNth[k-1] bit w: w#k
}

// maxSearchYears bounds Next: a schedule that does not fire within this long of the
// given time is treated as never firing.
const maxSearchYears = 5

// String returns the expression exactly as it was given to Parse.
func (s *Schedule) String() string { return s.expr }

// Matches reports whether the schedule fires in the minute containing t (in UTC);
// seconds and fractions of a second are ignored, so a ticker that wakes a little
// after the minute still matches.
func (s *Schedule) Matches(t time.Time) bool {
	t = t.UTC()
	y, mo, d := t.Date()
	return s.minutes&(1<<uint(t.Minute())) != 0 &&
		s.hours&(1<<uint(t.Hour())) != 0 &&
		s.months&(1<<uint(mo)) != 0 &&
		s.dayMask(y, mo)&(1<<uint(d)) != 0
}

// Next returns the first time the schedule fires strictly after `after`: in UTC, at
// second 0. It returns the zero Time if the schedule does not fire within five years
// of `after` (for example `0 0 30 2 *`).
//
// Next skips whole months and days that cannot match and steps through the
// remaining candidates with bit operations, so its cost is bounded by the number of
// months searched (at most 61), not by the number of minutes.
func (s *Schedule) Next(after time.Time) time.Time {
	start := after.UTC().Truncate(time.Minute).Add(time.Minute)
	limit := after.UTC().AddDate(maxSearchYears, 0, 0)
	ly, lm, _ := limit.Date()

	y, mo, d := start.Date()
	h, mi := start.Hour(), start.Minute()
	for ; y < ly || (y == ly && mo <= lm); d, h, mi = 1, 0, 0 {
		if s.months&(1<<uint(mo)) != 0 {
			days := s.dayMask(y, mo) >> uint(d) << uint(d)
			for days != 0 {
				nd := bits.TrailingZeros64(days)
				days &= days - 1
				if nd != d {
					d, h, mi = nd, 0, 0
				}
				hours := s.hours >> uint(h) << uint(h)
				for hours != 0 {
					nh := bits.TrailingZeros64(hours)
					hours &= hours - 1
					if nh != h {
						h, mi = nh, 0
					}
					if mins := s.minutes >> uint(mi) << uint(mi); mins != 0 {
						t := time.Date(y, mo, d, h, bits.TrailingZeros64(mins), 0, 0, time.UTC)
						if t.After(limit) {
							return time.Time{}
						}
						return t
					}
				}
			}
		}
		if mo++; mo > time.December {
			mo = time.January
			y++
		}
	}
	return time.Time{}
}

// dayMask returns the days of month mo of year y on which the schedule fires,
// as bits indexed by day number, ignoring the month field.
func (s *Schedule) dayMask(y int, mo time.Month) uint64 {
	dim := daysIn(y, mo)
	all := uint64(1)<<uint(dim+1) - 2 // bits 1..dim
	if s.domAny && s.dowAny {
		return all
	}
	first := int(time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC).Weekday())
	// weekday returns the time.Weekday of day d of this month.
	weekday := func(d int) int { return (first + d - 1) % 7 }

	var dom uint64
	if !s.domAny {
		dom = s.domDays & all
		for offs := s.domLast; offs != 0; offs &= offs - 1 {
			if d := dim - bits.TrailingZeros64(offs); d >= 1 {
				dom |= 1 << uint(d)
			}
		}
		if s.domLastWeekday {
			d := dim
			switch weekday(d) {
			case int(time.Saturday):
				d--
			case int(time.Sunday):
				d -= 2
			}
			dom |= 1 << uint(d)
		}
		for near := s.domNearest & all; near != 0; near &= near - 1 {
			d := bits.TrailingZeros64(near)
			switch weekday(d) {
			case int(time.Saturday):
				if d == 1 {
					d = 3 // Monday; Friday would be in the previous month
				} else {
					d--
				}
			case int(time.Sunday):
				if d == dim {
					d -= 2 // Friday; Monday would be in the next month
				} else {
					d++
				}
			}
			dom |= 1 << uint(d)
		}
	}

	var dow uint64
	if !s.dowAny {
		// One week starting on the 1st, then repeated over the month.
		var week uint64
		for d := 1; d <= 7; d++ {
			if s.dowDays&(1<<uint(weekday(d))) != 0 {
				week |= 1 << uint(d)
			}
		}
		dow = (week | week<<7 | week<<14 | week<<21 | week<<28) & all
		for w := 0; w < 7; w++ {
			firstW := 1 + (w-first+7)%7 // first day of the month that is weekday w
			if s.dowLast&(1<<uint(w)) != 0 {
				d := firstW + (dim-firstW)/7*7
				dow |= 1 << uint(d)
			}
			for k := range s.dowNth {
				if d := firstW + 7*k; s.dowNth[k]&(1<<uint(w)) != 0 && d <= dim {
					dow |= 1 << uint(d)
				}
			}
		}
	}

	switch {
	case s.domAny:
		return dow
	case s.dowAny:
		return dom
	default:
		return dom | dow
	}
}

func daysIn(y int, mo time.Month) int {
	switch mo {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
