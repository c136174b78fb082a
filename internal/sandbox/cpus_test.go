package sandbox

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCPUPool(t *testing.T) {
	// Each step acquires (a CPU number) or releases (the run acquired at that index).
	type step struct {
		acquire bool
		release int
	}
	acq := step{acquire: true}
	rel := func(i int) step { return step{release: i} }
	tests := []struct {
		name  string
		cpus  []int
		steps []step
		want  []int // the CPUs the acquisitions got, in order
	}{
		{"one CPU: nothing to spread, no pin", []int{0}, []step{acq, acq}, []int{-1, -1}},
		{"no CPU known: no pin", nil, []step{acq}, []int{-1}},
		{"two runs at once get two CPUs", []int{0, 1}, []step{acq, acq}, []int{0, 1}},
		{"a third run shares the CPU that comes next", []int{0, 1}, []step{acq, acq, acq}, []int{0, 1, 0}},
		{"a released CPU is the least busy", []int{0, 1}, []step{acq, acq, rel(0), acq}, []int{0, 1, 0}},
		{"runs one after another rotate", []int{2, 5, 7}, []step{acq, rel(0), acq, rel(1), acq, rel(2), acq}, []int{2, 5, 7, 2}},
		{"a busy CPU is passed over", []int{0, 1, 2}, []step{acq, acq, rel(0), acq, acq}, []int{0, 1, 2, 0}},
		{"a second release changes nothing", []int{0, 1}, []step{acq, rel(0), rel(0), acq, acq, acq}, []int{0, 1, 0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newCPUPool(tc.cpus)
			var got []int
			var releases []func()
			for _, s := range tc.steps {
				if s.acquire {
					cpu, release := p.acquire()
					got = append(got, cpu)
					releases = append(releases, release)
					continue
				}
				releases[s.release]()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("CPUs (-want +got):\n%s", diff)
			}
		})
	}
}
