package limit

import "math"

// gcraResult is one throttle's verdict; times are in microseconds.
type gcraResult struct {
	ok bool
	// clamped is set when the stored TAT was beyond what this
	// configuration can reach (it was loosened): the caller stores tat,
	// admitted or not.
	clamped   bool
	tat       float64
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
	// Under a fixed configuration the TAT never exceeds now + burst
	// intervals. One beyond that was set under a stricter configuration:
	// the throttle starts drained under the new one.
	tat = math.Max(tat, now)
	var clamped bool
	if full := now + interval*float64(burst); tat > full {
		tat, clamped = full, true
	}
	newTAT := tat + interval
	allowAt := newTAT - interval*float64(burst)
	diff := now - allowAt
	if diff < 0 {
		return gcraResult{retry: -diff, reset: -diff, clamped: clamped, tat: tat}
	}
	return gcraResult{
		ok:        true,
		clamped:   clamped,
		tat:       tat,
		newTAT:    newTAT,
		remaining: int64(diff / interval),
		reset:     newTAT - now,
	}
}
