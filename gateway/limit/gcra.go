package limit

import "math"

// gcraResult is one throttle's verdict; times are in microseconds.
type gcraResult struct {
	ok        bool
	newTAT    float64 // to store if every check passes
	remaining int64
	retry     float64 // refused: how long until admitted
	reset     float64 // refused: as retry; admitted: until the burst is whole again
}

// gcra checks one request against a throttle whose theoretical arrival
// time is tat (0: none yet) at now. The Lua script in redis.go is the same
// computation; keep them in step.
func gcra(tat, now, rate float64, burst int) gcraResult {
	if rate <= 0 || burst <= 0 {
		return gcraResult{retry: 1e6, reset: 1e6}
	}
	interval := 1e6 / rate
	tat = math.Max(tat, now)
	newTAT := tat + interval
	allowAt := newTAT - interval*float64(burst)
	diff := now - allowAt
	if diff < 0 {
		return gcraResult{retry: -diff, reset: -diff}
	}
	return gcraResult{
		ok:        true,
		newTAT:    newTAT,
		remaining: int64(diff / interval),
		reset:     newTAT - now,
	}
}
