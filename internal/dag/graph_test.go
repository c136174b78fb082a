package dag

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	kX = NewKey[string]("x")
	kY = NewKey[string]("y")
	kZ = NewKey[string]("z")
)

func nop(context.Context, *Data) error { return nil }

func keys(k ...AnyKey) []AnyKey { return k }

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name    string
		initial []AnyKey
		tasks   []Task
		want    []error
		msg     string
	}{
		{
			name: "two-task cycle",
			tasks: []Task{
				{Name: "a", Needs: keys(kX), Provides: keys(kY), Run: nop},
				{Name: "b", Needs: keys(kY), Provides: keys(kX), Run: nop},
			},
			want: []error{ErrCycle},
			msg:  `dependency cycle: "a" needs "x" from "b", "b" needs "y" from "a"`,
		},
		{
			name: "three-task cycle reached from outside",
			tasks: []Task{
				{Name: "entry", Needs: keys(kX), Run: nop},
				{Name: "c", Needs: keys(kY), Provides: keys(kX), Run: nop},
				{Name: "d", Needs: keys(kZ), Provides: keys(kY), Run: nop},
				{Name: "e", Needs: keys(kX), Provides: keys(kZ), Run: nop},
			},
			want: []error{ErrCycle},
			msg:  `dependency cycle: "c" needs "y" from "d", "d" needs "z" from "e", "e" needs "x" from "c"`,
		},
		{
			name: "task needs its own output",
			tasks: []Task{
				{Name: "self", Needs: keys(kX), Provides: keys(kY), Run: nop},
				{Name: "loop", Needs: keys(kZ), Provides: keys(kZ, kX), Run: nop},
			},
			want: []error{ErrInvalidTask, ErrCycle},
			msg: `invalid task: task "loop" lists datum "z" more than once in Needs, Optional and Provides` + "\n" +
				`dependency cycle: "loop" needs "z" from "loop"`,
		},
		{
			name: "duplicate provider",
			tasks: []Task{
				{Name: "build", Provides: keys(kX), Run: nop},
				{Name: "rebuild", Provides: keys(kX), Run: nop},
			},
			want: []error{ErrDuplicateProvide},
			msg:  `datum provided twice: datum "x" is provided by both "build" and "rebuild"`,
		},
		{
			name:    "caller and task provide the same datum",
			initial: keys(kX),
			tasks:   []Task{{Name: "build", Provides: keys(kX), Run: nop}},
			want:    []error{ErrDuplicateProvide},
			msg:     `datum provided twice: datum "x" is provided by both the caller and "build"`,
		},
		{
			name: "missing provider",
			tasks: []Task{
				{Name: "install", Needs: keys(kX), Run: nop},
				{Name: "test", Needs: keys(kY, kX), Run: nop},
				{Name: "make-y", Provides: keys(kY), Run: nop},
			},
			want: []error{ErrMissingProvider},
			msg:  `datum provided by nothing: datum "x" is needed by "install", "test" but no task provides it and the caller does not supply it`,
		},
		{
			name: "duplicate task name",
			tasks: []Task{
				{Name: "lint", Run: nop},
				{Name: "lint", Run: nop},
			},
			want: []error{ErrDuplicateTask},
			msg:  `duplicate task name: "lint" names both task #1 and task #2`,
		},
		{
			name: "type conflict",
			tasks: []Task{
				{Name: "a", Provides: keys(kX), Run: nop},
				{Name: "b", Needs: keys(NewKey[int]("x")), Run: nop},
			},
			want: []error{ErrTypeConflict},
			msg:  `datum declared with two types: datum "x" is string for "a" but int for "b"`,
		},
		{
			name:  "no name and no run",
			tasks: []Task{{}},
			want:  []error{ErrInvalidTask},
			msg:   "invalid task: task #1 has no name\ninvalid task: task #1 has no Run function",
		},
		{
			name:  "nil key",
			tasks: []Task{{Name: "a", Needs: []AnyKey{nil}, Run: nop}},
			want:  []error{ErrInvalidTask},
			msg:   `invalid task: "a" declares a nil key`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(tt.initial, tt.tasks...)
			if err == nil {
				t.Fatalf("New succeeded with order %v, want an error", g.Order())
			}
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("error %q does not wrap %v", err, w)
				}
			}
			if diff := cmp.Diff(tt.msg, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOrder(t *testing.T) {
	kA, kB, kC, kL, kR := NewKey[int]("a"), NewKey[int]("b"), NewKey[int]("c"), NewKey[int]("l"), NewKey[int]("r")
	tests := []struct {
		name    string
		initial []AnyKey
		tasks   []Task
		want    []string
	}{
		{
			name: "chain declared backwards",
			tasks: []Task{
				{Name: "A", Needs: keys(kB), Run: nop},
				{Name: "B", Needs: keys(kC), Provides: keys(kB), Run: nop},
				{Name: "C", Provides: keys(kC), Run: nop},
			},
			want: []string{"C", "B", "A"},
		},
		{
			name:    "diamond",
			initial: keys(kA),
			tasks: []Task{
				{Name: "bottom", Needs: keys(kL, kR), Run: nop},
				{Name: "right", Needs: keys(kB), Provides: keys(kR), Run: nop},
				{Name: "left", Needs: keys(kB), Provides: keys(kL), Run: nop},
				{Name: "top", Needs: keys(kA), Provides: keys(kB), Run: nop},
			},
			want: []string{"top", "right", "left", "bottom"},
		},
		{
			name: "independent tasks keep their order",
			tasks: []Task{
				{Name: "z", Run: nop},
				{Name: "m", Run: nop},
				{Name: "a", Run: nop},
			},
			want: []string{"z", "m", "a"},
		},
		{
			name: "optional needs order too, and may lack a provider",
			tasks: []Task{
				{Name: "report", Optional: keys(kA, kC), Run: nop},
				{Name: "produce", Provides: keys(kA), Run: nop},
			},
			want: []string{"produce", "report"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(tt.initial, tt.tasks...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, g.Order()); diff != "" {
				t.Errorf("Order (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSpecs(t *testing.T) {
	g, err := New(keys(kX), Task{Name: "t", Needs: keys(kX), Optional: keys(kZ), Provides: keys(kY), Timeout: 1500000, Run: nop})
	if err != nil {
		t.Fatal(err)
	}
	want := []TaskSpec{{Name: "t", Needs: []string{"x"}, Optional: []string{"z"}, Provides: []string{"y"}, TimeoutMS: 1.5}}
	if diff := cmp.Diff(want, g.Specs()); diff != "" {
		t.Errorf("Specs (-want +got):\n%s", diff)
	}
}
