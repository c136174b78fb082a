package benchmark

import (
	"context"
	"fmt"
	"syscall"
	"time"
)

// Variant is one way of doing a row's work. Run does it once and returns the time the work took
// (it may leave untimed set-up out of it); an error means this repetition has no sample.
type Variant struct {
	Name string
	Run  func(ctx context.Context, rep int) (time.Duration, error)
}

// Interleave runs every variant reps times, interleaved: repetition r runs all variants, starting
// with variant r mod n, so no variant always runs first (or right after another) and slow drifts
// of the machine's load fall on all of them alike. It stops starting repetitions once the next
// one would likely end after deadline (the zero time means no deadline), but always runs the
// first minReps (at least one). It returns the series in the variants' order and how many
// repetitions ran.
func Interleave(ctx context.Context, reps, minReps int, deadline time.Time, variants []Variant) ([]Series, int, error) {
	out := make([]Series, len(variants))
	for i, v := range variants {
		out[i].Name = v.Name
	}
	ran := 0
	var last time.Duration
	for r := 0; r < reps; r++ {
		if err := ctx.Err(); err != nil {
			return out, ran, err
		}
		if r >= max(minReps, 1) && !deadline.IsZero() && time.Now().Add(last).After(deadline) {
			break
		}
		start := time.Now()
		for k := range variants {
			i := (r + k) % len(variants)
			cpu := childrenCPU()
			d, err := variants[i].Run(ctx, r)
			cpu = childrenCPU() - cpu
			if err != nil {
				if ctx.Err() != nil {
					return out, ran, ctx.Err()
				}
				out[i].Failures++
				out[i].LastError = fmt.Sprintf("repetition %d: %v", r+1, err)
				continue
			}
			out[i].Samples = append(out[i].Samples, d)
			out[i].CPU = append(out[i].CPU, cpu)
		}
		last = time.Since(start)
		ran++
	}
	return out, ran, nil
}

// childrenCPU is the processor time (user and system) of every child process this process has
// waited for so far, their own waited-for children included: the variants run one at a time, so
// its growth across a run is that run's cost. A failure reads as 0, which shows as no CPU.
func childrenCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
