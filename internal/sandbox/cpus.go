package sandbox

import (
	"sync"

	"golang.org/x/sys/unix"
)

// cpuPool hands out single CPUs to the runs that ask to be kept on one (Plan.PinCPU), each to
// the CPU with the fewest such runs at the moment, so that two traced runs at once go to two
// CPUs. It knows only the runs it pinned; the scheduler places everything else around them.
type cpuPool struct {
	mu   sync.Mutex
	cpus []int       // the CPUs to hand out, in order
	busy map[int]int // runs pinned to each CPU now
	next int         // where the search for the least busy CPU starts, so that ties rotate
}

// newCPUPool returns a pool over cpus. With fewer than two, pinning cannot spread or help, and
// the pool hands out nothing.
func newCPUPool(cpus []int) *cpuPool {
	return &cpuPool{cpus: cpus, busy: map[int]int{}}
}

// acquire returns the CPU for a run (-1: leave the run unpinned) and the function that gives it
// back when the run ends.
func (p *cpuPool) acquire() (int, func()) {
	if len(p.cpus) < 2 {
		return -1, func() {}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	best := -1
	for i := range p.cpus {
		c := p.cpus[(p.next+i)%len(p.cpus)]
		if best < 0 || p.busy[c] < p.busy[best] {
			best = c
		}
	}
	p.next = (p.next + 1) % len(p.cpus)
	p.busy[best]++
	var once sync.Once
	return best, func() {
		once.Do(func() {
			p.mu.Lock()
			p.busy[best]--
			p.mu.Unlock()
		})
	}
}

// pinnedCPUs is the process's pool, over the CPUs PYTI itself may run on.
var pinnedCPUs = sync.OnceValue(func() *cpuPool {
	var set unix.CPUSet
	var cpus []int
	if err := unix.SchedGetaffinity(0, &set); err == nil {
		for c := 0; len(cpus) < set.Count(); c++ {
			if set.IsSet(c) {
				cpus = append(cpus, c)
			}
		}
	}
	return newCPUPool(cpus)
})

// pinToCPU keeps the calling thread, and every process it starts or execs from now on, on cpu
// (the caller locks its goroutine to the thread: affinity is a thread's, not a process's). A
// failure (the CPU went offline, a cpuset forbids it) leaves the process where it was: pinning
// only makes a traced run faster, never decides whether it runs.
func pinToCPU(cpu int) {
	if cpu < 0 {
		return
	}
	var set unix.CPUSet
	set.Set(cpu)
	_ = unix.SchedSetaffinity(0, &set)
}
