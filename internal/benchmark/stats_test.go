package benchmark

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSeriesStats(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name    string
		samples []time.Duration
		wantMed time.Duration
		wantMin time.Duration
	}{
		{"empty", nil, 0, 0},
		{"one", []time.Duration{5 * ms}, 5 * ms, 5 * ms},
		{"odd, unsorted", []time.Duration{9 * ms, 1 * ms, 4 * ms}, 4 * ms, 1 * ms},
		{"even: mean of the middle two", []time.Duration{8 * ms, 2 * ms, 4 * ms, 6 * ms}, 5 * ms, 2 * ms},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Series{Samples: tc.samples}
			got := []time.Duration{s.Median(), s.Min()}
			if d := cmp.Diff([]time.Duration{tc.wantMed, tc.wantMin}, got); d != "" {
				t.Errorf("median, min (-want +got):\n%s", d)
			}
		})
	}
}

func TestMedianDoesNotReorderSamples(t *testing.T) {
	s := Series{Samples: []time.Duration{3, 1, 2}}
	_ = s.Median()
	if d := cmp.Diff([]time.Duration{3, 1, 2}, s.Samples); d != "" {
		t.Errorf("samples changed (-want +got):\n%s", d)
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		a, b      time.Duration
		ratio     string
		formatted string
	}{
		{1500 * time.Microsecond, 0, "n/a", "1.50 ms"},
		{250 * time.Millisecond, 100 * time.Millisecond, "2.50x", "250 ms"},
		{3210 * time.Millisecond, 3210 * time.Millisecond, "1.00x", "3.21 s"},
		{400 * time.Microsecond, time.Millisecond, "0.40x", "400 µs"},
		{0, time.Second, "n/a", "-"},
	} {
		got := []string{FormatRatio(tc.a, tc.b), FormatDuration(tc.a)}
		if d := cmp.Diff([]string{tc.ratio, tc.formatted}, got); d != "" {
			t.Errorf("%v/%v (-want +got):\n%s", tc.a, tc.b, d)
		}
	}
}
