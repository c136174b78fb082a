package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

// TestBadValuesSayWhatToGive: a bad flag value, on the command line or through Set (the
// environment and the config file), says what the value should look like.
func TestBadValuesSayWhatToGive(t *testing.T) {
	newSet := func() *flag.FlagSet {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Int("parallel", 2, "")
		fs.Int64("memory-mb", 4096, "")
		fs.Duration("test-timeout", time.Minute, "")
		fs.Bool("json", false, "")
		fs.String("out", "", "")
		return fs
	}
	tests := []struct {
		args    []string
		wantCLI string // the error of Parse, clarified
		wantSet string // the error of Set with the same value
	}{
		{[]string{"--parallel", "many"}, `invalid value "many" for flag --parallel: want a whole number`, "want a whole number"},
		{[]string{"--memory-mb", "99999999999999999999"}, `invalid value "99999999999999999999" for flag --memory-mb: want a whole number`, "want a whole number"},
		{[]string{"--test-timeout", "20"}, `invalid value "20" for flag --test-timeout: want a duration such as 90s, 20m or 1h30m`, "want a duration such as 90s, 20m or 1h30m"},
		{[]string{"--json=maybe"}, `invalid value "maybe" for flag --json: want true or false`, "want true or false"},
		{[]string{"--nope"}, "flag provided but not defined: -nope", ""},
	}
	for _, tc := range tests {
		fs := newSet()
		err := fs.Parse(tc.args)
		if err == nil {
			t.Fatalf("%q: no error", tc.args)
		}
		if got := ClarifyParseError(fs, err).Error(); got != tc.wantCLI {
			t.Errorf("%q: command line error %q, want %q", tc.args, got, tc.wantCLI)
		}
		if tc.wantSet == "" {
			continue
		}
		name, value := tc.args[0][2:], ""
		if len(tc.args) > 1 {
			value = tc.args[1]
		} else {
			name, value, _ = strings.Cut(name, "=")
		}
		if err := Set(newSet(), name, value); err == nil || err.Error() != tc.wantSet {
			t.Errorf("Set(%s, %q) = %v, want %q", name, value, err, tc.wantSet)
		}
	}
}
