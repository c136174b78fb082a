package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRunSmall runs the benchmark end to end on a small store, so that it keeps working.
func TestRunSmall(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-reports", "60", "-projects", "6", "-requests", "3", "-data", t.TempDir()}, &out); err != nil {
		t.Fatalf("bench: %v\n%s", err, out.String())
	}
	for _, want := range []string{"stored 60 reports over 6 projects", "project page", "report page", "API report", "compare", "badge"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
