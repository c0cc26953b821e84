package cron_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/ferry-run/ferry/core/cron"
)

// This file checks Next and Matches against a slow, independently written model:
// random expressions are generated together with a predicate for each field, the
// predicates restate the documented rules directly (no bit masks, day-by-day
// calendar arithmetic with the time package), and the model's next fire time is
// found by brute force.

type datePred func(date time.Time) bool // date is midnight UTC of the day

type model struct {
	expr           string
	minute, hour   func(int) bool
	month          func(int) bool
	dom, dow       datePred
	domAny, dowAny bool
}

func (m *model) dayMatches(date time.Time) bool {
	if !m.month(int(date.Month())) {
		return false
	}
	switch {
	case m.domAny && m.dowAny:
		return true
	case m.domAny:
		return m.dow(date)
	case m.dowAny:
		return m.dom(date)
	}
	return m.dom(date) || m.dow(date)
}

func (m *model) matches(t time.Time) bool {
	t = t.UTC()
	date := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return m.minute(t.Minute()) && m.hour(t.Hour()) && m.dayMatches(date)
}

// next is a brute-force search: every day up to five years ahead, every minute
// of a matching day.
func (m *model) next(after time.Time) time.Time {
	after = after.UTC()
	start := after.Truncate(time.Minute).Add(time.Minute)
	limit := after.AddDate(5, 0, 0)
	for date := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC); !date.After(limit); date = date.AddDate(0, 0, 1) {
		if !m.dayMatches(date) {
			continue
		}
		for h := 0; h < 24; h++ {
			for mi := 0; mi < 60; mi++ {
				t := date.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute)
				if t.Before(start) || !m.hour(h) || !m.minute(mi) {
					continue
				}
				if t.After(limit) {
					return time.Time{}
				}
				return t
			}
		}
	}
	return time.Time{}
}

func lastDay(date time.Time) int {
	return time.Date(date.Year(), date.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func isWeekday(date time.Time) bool {
	return date.Weekday() != time.Saturday && date.Weekday() != time.Sunday
}

type generator struct{ r *rand.Rand }

var (
	monthNames = []string{"jan", "FEB", "Mar", "apr", "MAY", "jun", "Jul", "aug", "SEP", "oct", "Nov", "dec"}
	dayNames   = []string{"sun", "MON", "Tue", "wed", "THU", "fri", "Sat"}
)

// value renders v, as a name when the field has names and the coin says so.
func (g generator) value(v, min int, names []string) string {
	if names != nil && g.r.Intn(2) == 0 {
		return names[v-min]
	}
	return fmt.Sprint(v)
}

// plain returns one element of the generic syntax (v, a-b, a-b/s, */s, a/s) and its
// membership test.
func (g generator) plain(min, max int, names []string) (string, func(int) bool) {
	size := max - min + 1
	pick := func() int { return min + g.r.Intn(size) }
	step := func() int {
		if g.r.Intn(2) == 0 {
			return 1 + g.r.Intn(4)
		}
		return 1 + g.r.Intn(max)
	}
	switch g.r.Intn(5) {
	case 0:
		v := pick()
		return g.value(v, min, names), func(x int) bool { return x == v }
	case 1, 2:
		a, b := pick(), pick()
		s := 1
		text := g.value(a, min, names) + "-" + g.value(b, min, names)
		if g.r.Intn(2) == 0 {
			s = step()
			text += fmt.Sprintf("/%d", s)
		}
		return text, func(x int) bool {
			// Distance from a going forward, wrapping past max.
			dist, span := (x-a+size)%size, (b-a+size)%size
			return dist <= span && dist%s == 0
		}
	case 3:
		s := step()
		return fmt.Sprintf("*/%d", s), func(x int) bool { return (x-min)%s == 0 }
	default:
		a, s := pick(), step()
		return fmt.Sprintf("%s/%d", g.value(a, min, names), s), func(x int) bool { return x >= a && (x-a)%s == 0 }
	}
}

func (g generator) list(n int, elem func() (string, func(int) bool)) (string, func(int) bool) {
	var texts []string
	var preds []func(int) bool
	for i := 0; i < n; i++ {
		t, p := elem()
		texts = append(texts, t)
		preds = append(preds, p)
	}
	return strings.Join(texts, ","), func(x int) bool {
		for _, p := range preds {
			if p(x) {
				return true
			}
		}
		return false
	}
}

func (g generator) simpleField(min, max int, names []string) (string, func(int) bool) {
	if g.r.Intn(4) == 0 {
		return "*", func(int) bool { return true }
	}
	return g.list(1+g.r.Intn(3), func() (string, func(int) bool) { return g.plain(min, max, names) })
}

func (g generator) domElem() (string, datePred) {
	switch g.r.Intn(8) {
	case 0:
		return "L", func(d time.Time) bool { return d.Day() == lastDay(d) }
	case 1:
		n := g.r.Intn(31)
		return fmt.Sprintf("L-%d", n), func(d time.Time) bool { return d.Day() == lastDay(d)-n }
	case 2:
		return "LW", func(d time.Time) bool {
			if !isWeekday(d) {
				return false
			}
			for later := d.AddDate(0, 0, 1); later.Month() == d.Month(); later = later.AddDate(0, 0, 1) {
				if isWeekday(later) {
					return false
				}
			}
			return true
		}
	case 3, 4:
		n := 1 + g.r.Intn(31)
		if g.r.Intn(2) == 0 {
			n = []int{1, 2, 28, 29, 30, 31}[g.r.Intn(6)]
		}
		return fmt.Sprintf("%dW", n), func(d time.Time) bool {
			// The weekday of this month closest to day n; none if n is past the end.
			if n > lastDay(d) || !isWeekday(d) {
				return false
			}
			dist := func(x int) int {
				if x > n {
					return x - n
				}
				return n - x
			}
			for o := 1; o <= lastDay(d); o++ {
				other := time.Date(d.Year(), d.Month(), o, 0, 0, 0, 0, time.UTC)
				if isWeekday(other) && dist(o) < dist(d.Day()) {
					return false
				}
			}
			return true
		}
	default:
		text, p := g.plain(1, 31, nil)
		return text, func(d time.Time) bool { return p(d.Day()) }
	}
}

func (g generator) dowElem() (string, datePred) {
	day := func() (string, time.Weekday) {
		q := 1 + g.r.Intn(7)
		return g.value(q, 1, dayNames), time.Weekday(q - 1)
	}
	switch g.r.Intn(7) {
	case 0:
		text, w := day()
		return text + []string{"L", "l"}[g.r.Intn(2)], func(d time.Time) bool {
			return d.Weekday() == w && d.AddDate(0, 0, 7).Month() != d.Month()
		}
	case 1, 2:
		text, w := day()
		k := 1 + g.r.Intn(5)
		return fmt.Sprintf("%s#%d", text, k), func(d time.Time) bool {
			count := 0
			for x := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC); !x.After(d); x = x.AddDate(0, 0, 1) {
				if x.Weekday() == w {
					count++
				}
			}
			return d.Weekday() == w && count == k
		}
	case 3:
		return "L", func(d time.Time) bool { return d.Weekday() == time.Saturday }
	default:
		text, p := g.plain(1, 7, dayNames)
		return text, func(d time.Time) bool { return p(int(d.Weekday()) + 1) }
	}
}

func (g generator) dayField(elem func() (string, datePred)) (text string, p datePred, any bool) {
	switch g.r.Intn(5) {
	case 0:
		return "*", nil, true
	case 1:
		return "?", nil, true
	}
	var texts []string
	var preds []datePred
	for i := 1 + g.r.Intn(2); i > 0; i-- {
		t, p := elem()
		texts = append(texts, t)
		preds = append(preds, p)
	}
	return strings.Join(texts, ","), func(d time.Time) bool {
		for _, p := range preds {
			if p(d) {
				return true
			}
		}
		return false
	}, false
}

func (g generator) model() *model {
	m := &model{}
	var parts [5]string
	parts[0], m.minute = g.simpleField(0, 59, nil)
	parts[1], m.hour = g.simpleField(0, 23, nil)
	parts[2], m.dom, m.domAny = g.dayField(g.domElem)
	parts[3], m.month = g.simpleField(1, 12, monthNames)
	parts[4], m.dow, m.dowAny = g.dayField(g.dowElem)
	m.expr = strings.Join(parts[:], " ")
	return m
}

func (g generator) time() time.Time {
	// 2000-2099, any minute and second; the 1st and last days of months and
	// year ends are over-represented because that is where mistakes hide.
	y := 2000 + g.r.Intn(100)
	mo := time.Month(1 + g.r.Intn(12))
	var d int
	switch g.r.Intn(3) {
	case 0:
		d = 1
	case 1:
		d = time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC).Day()
	default:
		d = 1 + g.r.Intn(28)
	}
	return time.Date(y, mo, d, g.r.Intn(24), g.r.Intn(60), g.r.Intn(60), 0, time.UTC)
}

func TestNextAgainstModel(t *testing.T) {
	t.Parallel()
	n := 1500
	if testing.Short() {
		n = 200
	}
	g := generator{rand.New(rand.NewSource(1))}
	for i := 0; i < n; i++ {
		m := g.model()
		s, err := cron.Parse(m.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", m.expr, err)
		}
		from := g.time()
		for j := 0; j < 3; j++ {
			want := m.next(from)
			got := s.Next(from)
			if !got.Equal(want) {
				t.Fatalf("%q: Next(%v) = %v, model says %v", m.expr, from, got, want)
			}
			if want.IsZero() {
				break
			}
			if !s.Matches(want) {
				t.Fatalf("%q: Matches(%v) = false at a fire time", m.expr, want)
			}
			from = want
		}
		for j := 0; j < 5; j++ {
			at := g.time()
			if got, want := s.Matches(at), m.matches(at); got != want {
				t.Fatalf("%q: Matches(%v) = %v, model says %v", m.expr, at, got, want)
			}
		}
	}
}
