package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// durationValue is a duration flag that takes days ("30d") as well as Go
// durations ("72h", "90s"), refuses negatives, and prints its default the
// way it is written ("30d", not "720h0m0s").
type durationValue time.Duration

func (d *durationValue) String() string { return formatDuration(time.Duration(*d)) }
func (d *durationValue) Type() string   { return "duration" }
func (d *durationValue) Set(s string) error {
	v, err := parseDuration(s)
	if err != nil {
		return err
	}
	*d = durationValue(v)
	return nil
}

// parseDuration reads "30d" or a Go duration; negatives are refused.
func parseDuration(s string) (time.Duration, error) {
	var v time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("%q: want a number of days such as 30d, or a duration such as 72h or 90s", s)
		}
		v = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if v, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q: want a number of days such as 30d, or a duration such as 72h or 90s", s)
		}
	}
	if v < 0 {
		return 0, fmt.Errorf("%q: a duration cannot be negative", s)
	}
	return v, nil
}

// formatDuration writes whole days as "30d" and other durations without
// trailing zero units ("90m", "1h30m", "10s").
func formatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d > 0 && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
