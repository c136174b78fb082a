package benchmark

import (
	"fmt"
	"sort"
	"time"
)

// Series is the repeated timings of one variant of a row.
type Series struct {
	Name    string          `json:"name"`
	Samples []time.Duration `json:"samples"`
	// CPU is, beside each sample, the processor time (user and system) of every process that
	// repetition started and waited for: what the work cost the machine, wherever it ran.
	CPU []time.Duration `json:"cpu,omitempty"`
	// Failures counts repetitions whose run returned an error (they have no sample).
	Failures int `json:"failures"`
	// LastError is the error of the last failed repetition.
	LastError string `json:"last_error,omitempty"`
}

// MedianCPU is the median of CPU; 0 when it was not measured.
func (s Series) MedianCPU() time.Duration { return median(s.CPU) }

// Median is the median sample (the mean of the two middle ones for an even count); 0 when empty.
func (s Series) Median() time.Duration { return median(s.Samples) }

// Min is the smallest sample; 0 when empty.
func (s Series) Min() time.Duration {
	if len(s.Samples) == 0 {
		return 0
	}
	m := s.Samples[0]
	for _, d := range s.Samples[1:] {
		m = min(m, d)
	}
	return m
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	c := append([]time.Duration(nil), ds...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	n := len(c)
	if n%2 == 1 {
		return c[n/2]
	}
	return (c[n/2-1] + c[n/2]) / 2
}

// Ratio is a/b as a float, and false when either is missing.
func Ratio(a, b time.Duration) (float64, bool) {
	if a <= 0 || b <= 0 {
		return 0, false
	}
	return float64(a) / float64(b), true
}

// FormatRatio renders a ratio as "12.3x", or "n/a".
func FormatRatio(a, b time.Duration) string {
	r, ok := Ratio(a, b)
	if !ok {
		return "n/a"
	}
	return fmt.Sprintf("%.2fx", r)
}

// FormatDuration renders a duration with a precision that suits its size: "1.23 ms", "45.6 ms",
// "3.21 s", or "-" for none.
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}
