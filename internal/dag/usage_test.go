package dag

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestUsageAdd(t *testing.T) {
	tests := []struct {
		name string
		adds []Usage
		want Usage
	}{
		{name: "none", want: Usage{}},
		{name: "one", adds: []Usage{{CPU: time.Second, PeakRSS: 10}}, want: Usage{CPU: time.Second, PeakRSS: 10}},
		{
			name: "cpu sums, peak is the max",
			adds: []Usage{{CPU: time.Second, PeakRSS: 30}, {CPU: 2 * time.Second, PeakRSS: 50}, {CPU: time.Millisecond, PeakRSS: 20}},
			want: Usage{CPU: 3*time.Second + time.Millisecond, PeakRSS: 50},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := mustGraph(t, nil, Task{Name: "t", Run: func(ctx context.Context, _ *Data) error {
				for _, u := range tt.adds {
					AddUsage(ctx, u)
				}
				return nil
			}})
			res := mustRun(t, &Runner{}, context.Background(), g, nil)
			rec, _ := res.Task("t")
			got := Usage{CPU: time.Duration(rec.CPUMS * float64(time.Millisecond)), PeakRSS: rec.PeakRSSBytes}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("usage (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAddUsageOutsideTask(t *testing.T) {
	// Must not panic, and nil states give nothing.
	AddUsage(context.Background(), Usage{CPU: time.Second})
	AddProcessState(context.Background(), nil)
	if u := UsageOf(nil); u != (Usage{}) {
		t.Errorf("UsageOf(nil) = %+v", u)
	}
}

// TestUsageFromChildProcess runs a real shell doing CPU work and checks the
// task's record accounts it.
func TestUsageFromChildProcess(t *testing.T) {
	g := mustGraph(t, nil, Task{Name: "spin", Timeout: time.Minute, Run: func(ctx context.Context, _ *Data) error {
		cmd := exec.CommandContext(ctx, "/bin/sh", "-c", `i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done`)
		err := cmd.Run()
		AddProcessState(ctx, cmd.ProcessState)
		return err
	}})
	res := mustRun(t, &Runner{}, context.Background(), g, nil)
	rec, _ := res.Task("spin")
	if rec.Status != StatusOK {
		t.Fatalf("spin: %s: %s", rec.Status, rec.Reason)
	}
	if rec.CPUMS <= 0 {
		t.Errorf("cpu_ms = %v, want > 0", rec.CPUMS)
	}
	if rec.PeakRSSBytes <= 0 {
		t.Errorf("peak_rss_bytes = %d, want > 0", rec.PeakRSSBytes)
	}
	if rec.WallMS <= 0 || rec.End.Before(rec.Start) {
		t.Errorf("wall %v ms, start %v, end %v", rec.WallMS, rec.Start, rec.End)
	}
}
