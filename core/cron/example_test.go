package cron_test

import (
	"fmt"
	"time"

	"github.com/ferry-run/ferry/core/cron"
)

func ExampleParse() {
	s, err := cron.Parse("0 18 * * friL") // 18:00 UTC on the last Friday of the month
	if err != nil {
		panic(err)
	}
	t := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		t = s.Next(t)
		fmt.Println(t.Format("Mon 2006-01-02 15:04 MST"))
	}
	_, err = cron.Parse("0 17 * * 0")
	fmt.Println(err)
	// Output:
	// Fri 2025-01-31 18:00 UTC
	// Fri 2025-02-28 18:00 UTC
	// Fri 2025-03-28 18:00 UTC
	// cron "0 17 * * 0": day of week: 0 is out of range 1-7 (1 is Sunday, 7 is Saturday)
}
