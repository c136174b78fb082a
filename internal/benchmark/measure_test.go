package benchmark

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recorder returns variants that log the order they ran in and return fixed durations.
func recorder(order *[]string, fail map[string]bool, names ...string) []Variant {
	var vs []Variant
	for i, n := range names {
		vs = append(vs, Variant{Name: n, Run: func(ctx context.Context, rep int) (time.Duration, error) {
			*order = append(*order, n)
			if fail[n] {
				return 0, errors.New("broken")
			}
			return time.Duration(i+1) * time.Millisecond, nil
		}})
	}
	return vs
}

func TestInterleaveRotatesOrder(t *testing.T) {
	var order []string
	series, ran, err := Interleave(context.Background(), 3, 1, time.Time{}, recorder(&order, nil, "a", "b", "c"))
	if err != nil || ran != 3 {
		t.Fatalf("ran %d, err %v", ran, err)
	}
	want := []string{"a", "b", "c", "b", "c", "a", "c", "a", "b"}
	if d := cmp.Diff(want, order); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}
	for i, s := range series {
		if len(s.Samples) != 3 || s.Median() != time.Duration(i+1)*time.Millisecond {
			t.Errorf("series %s: %v", s.Name, s.Samples)
		}
	}
}

func TestInterleaveCountsFailures(t *testing.T) {
	var order []string
	series, _, err := Interleave(context.Background(), 2, 1, time.Time{}, recorder(&order, map[string]bool{"b": true}, "a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	got := []int{len(series[0].Samples), series[0].Failures, len(series[1].Samples), series[1].Failures}
	if d := cmp.Diff([]int{2, 0, 0, 2}, got); d != "" {
		t.Errorf("samples and failures (-want +got):\n%s", d)
	}
	if series[1].LastError != "repetition 2: broken" {
		t.Errorf("last error %q", series[1].LastError)
	}
}

func TestInterleaveDeadlineRunsTheFirstRepetitionOnly(t *testing.T) {
	var order []string
	_, ran, err := Interleave(context.Background(), 5, 1, time.Now().Add(-time.Second), recorder(&order, nil, "a", "b"))
	if err != nil || ran != 1 || len(order) != 2 {
		t.Errorf("ran %d repetitions (%v), err %v; want 1", ran, order, err)
	}
}

func TestInterleaveStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var order []string
	_, ran, err := Interleave(ctx, 3, 1, time.Time{}, recorder(&order, nil, "a"))
	if !errors.Is(err, context.Canceled) || ran != 0 {
		t.Errorf("ran %d, err %v; want 0 and context.Canceled", ran, err)
	}
}

func TestInterleaveRunsMinRepsPastTheDeadline(t *testing.T) {
	var order []string
	_, ran, err := Interleave(context.Background(), 5, 3, time.Now().Add(-time.Second), recorder(&order, nil, "a"))
	if err != nil || ran != 3 {
		t.Errorf("ran %d repetitions, err %v; want 3", ran, err)
	}
}

// TestInterleaveMeasuresChildrenCPU checks that a repetition's CPU is that of the processes it
// started: a busy child shows, work done in this process does not.
func TestInterleaveMeasuresChildrenCPU(t *testing.T) {
	busy := Variant{Name: "child", Run: func(ctx context.Context, rep int) (time.Duration, error) {
		return 0, exec.CommandContext(ctx, "/bin/sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done").Run()
	}}
	inProcess := Variant{Name: "in process", Run: func(ctx context.Context, rep int) (time.Duration, error) {
		n := 0
		for i := range 10_000_000 {
			n += i % 7
		}
		_ = n
		return 0, nil
	}}
	series, _, err := Interleave(context.Background(), 1, 1, time.Time{}, []Variant{busy, inProcess})
	if err != nil {
		t.Fatal(err)
	}
	if got := series[0].CPU; len(got) != 1 || got[0] <= 0 {
		t.Errorf("a busy child's CPU: %v, want one positive sample", got)
	}
	if d := cmp.Diff([]time.Duration{0}, series[1].CPU); d != "" {
		t.Errorf("CPU of work in this process (-want +got):\n%s", d)
	}
}

// TestWarmUp runs the variant once, whatever it returns, and ends the row only on cancellation.
func TestWarmUp(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		err     error
		wantErr bool
		want    string
	}{
		{name: "ok", ctx: context.Background(), want: "bench: row: warm-up (pyti): 1.00 s, untimed"},
		{name: "failure left to the repetitions", ctx: context.Background(), err: errors.New("boom"), want: "bench: row: warm-up (pyti): error: boom"},
		{name: "cancelled", ctx: cancelled, err: context.Canceled, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var runs []int
			v := Variant{Name: "pyti", Run: func(_ context.Context, rep int) (time.Duration, error) {
				runs = append(runs, rep)
				return time.Second, tc.err
			}}
			var progress strings.Builder
			err := warmUp(tc.ctx, &progress, "row", v)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff([]int{-1}, runs); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
			if !strings.Contains(progress.String(), tc.want) {
				t.Errorf("progress %q, want %q in it", progress.String(), tc.want)
			}
		})
	}
}
