package dag

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"
)

// outcome is the result of running one task.
type outcome struct {
	index   int
	rec     TaskRecord
	outputs map[string]entry
}

// returned is what a task's Run did.
type returned struct {
	err      error
	panicked bool
	value    any
	stack    []byte
	exited   bool // called runtime.Goexit
}

// execute runs task t with its own context and classifies the outcome.
func execute(runCtx context.Context, t Task, in *Data, index int, start time.Time, grace time.Duration) outcome {
	m := &meter{}
	base := withMeter(runCtx, m)
	var ctx context.Context
	var cancel context.CancelFunc
	if t.Timeout > 0 {
		ctx, cancel = context.WithTimeout(base, t.Timeout)
	} else {
		ctx, cancel = context.WithCancel(base)
	}
	defer cancel()

	ch := make(chan returned, 1)
	go func() {
		finished := false
		defer func() {
			if finished {
				return
			}
			if v := recover(); v != nil {
				ch <- returned{panicked: true, value: v, stack: debug.Stack()}
				return
			}
			ch <- returned{exited: true}
		}()
		err := t.Run(ctx, in)
		finished = true
		ch <- returned{err: err}
	}()

	var res returned
	abandoned := false
	select {
	case res = <-ch:
	case <-ctx.Done():
		timer := time.NewTimer(grace)
		select {
		case res = <-ch:
		case <-timer.C:
			abandoned = true
		}
		timer.Stop()
	}
	end := time.Now()
	names := keyNames(t.Provides)
	outputs, violations := in.seal(names)
	timedOut := runCtx.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded)
	cancelled := runCtx.Err() != nil

	rec := TaskRecord{Start: start.Round(0), End: end.Round(0), WallMS: millis(end.Sub(start))}
	u := m.total()
	rec.CPUMS = millis(u.CPU)
	rec.PeakRSSBytes = u.PeakRSS
	if res.err != nil {
		rec.Error = res.err.Error()
	}
	// interrupted sets the status of a task whose context ended first.
	interrupted := func(detail string) bool {
		switch {
		case timedOut:
			rec.Status = StatusTimedOut
			rec.Reason = fmt.Sprintf("exceeded its %v timeout%s", t.Timeout, detail)
		case cancelled:
			rec.Status = StatusCancelled
			rec.Reason = "run cancelled while it was running" + detail
		default:
			return false
		}
		return true
	}
	var missing []string
	for _, n := range names {
		if _, ok := outputs[n]; !ok {
			missing = append(missing, fmt.Sprintf("%q", n))
		}
	}

	switch {
	case abandoned:
		if !interrupted(fmt.Sprintf(" and did not return within %v; abandoned", grace)) {
			rec.Status = StatusFailed
			rec.Reason = fmt.Sprintf("did not return within %v after its context ended; abandoned", grace)
		}
	case res.panicked:
		rec.Status = StatusFailed
		rec.Reason = fmt.Sprintf("panicked: %v", res.value)
		rec.Error = fmt.Sprintf("panic: %v", res.value)
		rec.PanicStack = string(res.stack)
	case res.exited:
		rec.Status = StatusFailed
		rec.Reason = "called runtime.Goexit instead of returning"
	case len(violations) > 0:
		rec.Status = StatusFailed
		rec.Reason = strings.Join(violations, "; ")
	case res.err != nil && errors.As(res.err, new(*NotApplicable)):
		var na *NotApplicable
		errors.As(res.err, &na)
		rec.Status = StatusSkipped
		rec.Reason = na.Reason
		rec.Error = ""
	case res.err != nil:
		if !interrupted("") {
			rec.Status = StatusFailed
			rec.Reason = res.err.Error()
		}
	case len(missing) > 0:
		if !interrupted("") {
			rec.Status = StatusFailed
			rec.Reason = "did not provide " + strings.Join(missing, ", ")
		}
	default:
		rec.Status = StatusOK
	}
	o := outcome{index: index, rec: rec}
	if rec.Status == StatusOK {
		o.outputs = outputs
	}
	return o
}
