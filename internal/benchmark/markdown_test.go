package benchmark

import (
	"strings"
	"testing"
	"time"
)

// sampleResults is a run with every row measured: the analysis 4x slower than by hand.
func sampleResults() *Results {
	s := func(name string, ds ...time.Duration) Series { return Series{Name: name, Samples: ds} }
	sec := time.Second
	return &Results{
		Started: time.Date(2026, 11, 24, 4, 0, 0, 0, time.UTC), Finished: time.Date(2026, 11, 24, 4, 18, 0, 0, time.UTC),
		Machine:      Machine{CPUs: 2, MemoryKiB: 24 << 20, Kernel: "6.1.0", OS: "Debian GNU/Linux 12 (bookworm)"},
		UptimeBefore: "04:00:00 up 1:00, load average: 14.02, 12.92, 11.37",
		UptimeAfter:  "04:18:00 up 1:18, load average: 9.00, 10.00, 11.00",
		IndexCommand: "bin/pyti index serve --examples testdata/examples --url-file F DIR",
		Rows: []Row{
			{ID: "empty-run", Title: "One empty sandboxed run: /bin/true", Reps: 3, Planned: 3, Commands: []string{"/bin/true"},
				Series: []Series{s("direct", time.Millisecond, 2*time.Millisecond, 3*time.Millisecond),
					s("sandbox", 100*time.Millisecond, 110*time.Millisecond, 120*time.Millisecond),
					s("sandbox+trace", 200*time.Millisecond, 210*time.Millisecond, 220*time.Millisecond)}},
			{ID: "pip-install", Title: "pip install", Reps: 3, Planned: 3,
				Series: []Series{s("direct", sec, sec, sec), s("sandbox", 2*sec, 2*sec, 2*sec), s("sandbox+trace", 3*sec, 3*sec, 3*sec)}},
			{ID: "analyze-pure", Title: "pyti analyze pyti-example-pure", Reps: 1, Planned: 3, Commands: []string{"bin/pyti analyze ... pyti-example-pure"},
				Series: []Series{s("manual", 10*sec), s("manual + lint", 20*sec), {Name: "pyti", Samples: []time.Duration{40 * sec}, CPU: []time.Duration{60 * sec}}, {Name: "pyti --no-trace", Samples: []time.Duration{30 * sec}, Failures: 1, LastError: "repetition 2: exit | 1"}},
				Breakdown: map[string][][]TaskTime{
					"pyti":            {{{Name: "fetch", Status: "ok", WallMS: 15000}, {Name: "build", Status: "ok", WallMS: 12000}}},
					"pyti --no-trace": {{{Name: "fetch", Status: "ok", WallMS: 11000}, {Name: "build", Status: "ok", WallMS: 9000}}},
				}},
			{ID: "analyze-cext", Title: "pyti analyze pyti-example-cext", Planned: 3, Skipped: "no sdist"},
		},
	}
}

func TestMarkdown(t *testing.T) {
	md := Markdown(sampleResults())
	for _, want := range []string{
		"2026-11-24 04:00 to 04:18 (UTC)",
		"2 CPUs (nproc), 24.0 GiB memory, Linux 6.1.0",
		"load average: 14.02, 12.92, 11.37",
		"load average: 9.00, 10.00, 11.00",
		"| One empty sandboxed run: /bin/true | direct | 3 | 2.00 ms | 1.00 ms | baseline |",
		"|  | sandbox | 3 | 110 ms | 100 ms | 55.00x |",
		"|  | manual + lint | 1 | 20.00 s | 20.00 s | 2.00x |",
		"| pyti-example-pure | 4.00x | no | 2.00x | 3.00x |",
		"|  | pyti | 1 | 40.00 s | 40.00 s | 4.00x | 60.00 s |",
		"| pyti analyze pyti-example-pure | manual | 1 | 10.00 s | 10.00 s | baseline | - |",
		"floor: PYTI's CPU / 2 CPUs / manual",
		"0 of 1 analyses are within the target in this run. The breakdown below",
		"| manual way + lint | | 20.00 s | | | |",
		"not measured: no sdist",
		"1 of 3 planned repetitions ran",
		"repetition 2: exit \\| 1",
		"| fetch | ok | 15.00 s | - | 11.00 s | - |",
		"1. **fetch**: 15.00 s (11.00 s), 56% of the summed task time.",
		"## Web UI latency\n\nMeasured by `go run ./cmd/pyti-webbench",
		"## Master and workers\n\nMeasured by `PYTI_CLUSTER_BENCH=1",
		"bin/pyti analyze ... pyti-example-pure",
		"costs 1.50x of the untraced sandboxed install",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("BENCHMARKS.md lacks %q:\n%s", want, md)
		}
	}
}

func TestMarkdownWithinTarget(t *testing.T) {
	res := sampleResults()
	res.Rows[2].Series[2].Samples = []time.Duration{11 * time.Second}
	md := Markdown(res)
	if !strings.Contains(md, "| pyti-example-pure | 1.10x | yes | 0.55x | 3.00x |") || !strings.Contains(md, "1 of 1 analyses are within the target in this run.\n") {
		t.Errorf("a run within the target is not reported as such:\n%s", md)
	}
}

func TestTable(t *testing.T) {
	tab := Table(sampleResults())
	for _, want := range []string{"ROW", "sandbox+trace", "4.00x", "not measured: no sdist", "(1 failed: repetition 2: exit | 1)"} {
		if !strings.Contains(tab, want) {
			t.Errorf("table lacks %q:\n%s", want, tab)
		}
	}
}
