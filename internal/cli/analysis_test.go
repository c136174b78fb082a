package cli

import (
	"flag"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/tasks"
)

// TestAnalysisFlagsReachTheOptions: every timeout and limit flag of the one analysis
// configuration lands in tasks.Options, and no flag given means tasks' own defaults.
func TestAnalysisFlagsReachTheOptions(t *testing.T) {
	defaults := tasks.DefaultOptions()
	tests := []struct {
		name string
		args []string
		want func(o *tasks.Options)
	}{
		{"defaults", nil, func(o *tasks.Options) {}},
		{"timeouts", []string{"--fetch-timeout", "1m", "--build-timeout", "2m", "--install-timeout", "3m",
			"--import-timeout", "4m", "--test-timeout", "5m", "--lint-timeout", "6m", "--no-output-timeout", "7m"},
			func(o *tasks.Options) {
				o.FetchTimeout, o.BuildTimeout, o.InstallTimeout = time.Minute, 2*time.Minute, 3*time.Minute
				o.ImportTimeout, o.TestTimeout, o.LintTimeout = 4*time.Minute, 5*time.Minute, 6*time.Minute
				o.Limits.NoOutput = 7 * time.Minute
			}},
		{"limits", []string{"--memory-mb", "512", "--pids", "64", "--file-size-mb", "10", "--open-files", "100",
			"--tmp-mb", "20", "--output-mb", "1", "--trace-mb", "30", "--workspace-mb", "40"},
			func(o *tasks.Options) {
				o.Limits = sandbox.Limits{Wall: o.Limits.Wall, NoOutput: o.Limits.NoOutput, MemoryBytes: 512 << 20, Pids: 64,
					FileSizeBytes: 10 << 20, OpenFiles: 100, TmpBytes: 20 << 20, OutputBytes: 1 << 20, TraceBytes: 30 << 20}
				o.WorkspaceBytes = 40 << 20
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			c := registerAnalysis(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			got := c.options(&Env{Logger: slog.New(slog.DiscardHandler)}, nil, nil, "", "dir")
			// What the flags leave zero, the sandbox backend's Run fills in with the same defaults.
			got.Limits = got.Limits.WithDefaults()
			want := defaults
			tc.want(&want)
			opts := cmpopts.IgnoreFields(tasks.Options{}, "Client", "IndexURL", "Backend", "Dir", "Logger", "Observe", "PipWheel", "ToolPython", "Rules")
			if d := cmp.Diff(want, got, opts, cmpopts.IgnoreUnexported(tasks.Options{})); d != "" {
				t.Errorf("options (-want +got):\n%s", d)
			}
		})
	}
}
