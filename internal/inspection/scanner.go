package inspection

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// Limits bound what the scanner reads.
type Limits struct {
	MaxFileBytes int64 `json:"max_file_bytes"` // larger files are noted and not read
	MaxFiles     int   `json:"max_files"`      // Python files read
	MaxSeconds   int   `json:"max_seconds"`    // the scanner stops reading after this much CPU time
	MaxDepth     int   `json:"max_depth"`      // decoded layers read as code, nested
	MaxFacts     int   `json:"-"`              // facts read back
}

// DefaultLimits reads files up to 4 MiB, 20,000 files, for 4 minutes of CPU time, 8 layers deep.
func DefaultLimits() Limits {
	return Limits{MaxFileBytes: 4 << 20, MaxFiles: 20000, MaxSeconds: 240, MaxDepth: 8, MaxFacts: 2_000_000}
}

// ScannerConfig is the scanner's CONFIG.json: the limits and the call names the rules read.
func ScannerConfig(rs *Rules, lim Limits) []byte {
	cfg := struct {
		Limits
		Calls []string `json:"calls"`
	}{lim, rs.Calls()}
	data, err := json.Marshal(cfg)
	if err != nil {
		panic(err) // plain data
	}
	return data
}

// Analyze reads the scanner's output and applies the rules.
func Analyze(rs *Rules, out io.Reader, lim Limits) ([]Finding, ScanStats, []Fact, error) {
	facts, stats, err := ReadFacts(out, lim.MaxFacts)
	if err != nil {
		return nil, stats, facts, err
	}
	return Evaluate(rs, facts), stats, facts, nil
}

// ScanLocal runs the scanner with python directly on the host, outside any sandbox: for tests and
// measurements on trees that are only read. The scanner parses and decodes; it never runs the
// package's code.
func ScanLocal(ctx context.Context, python, root string, rs *Rules, lim Limits) ([]Finding, ScanStats, []Fact, error) {
	dir, err := os.MkdirTemp("", "pyti-static-")
	if err != nil {
		return nil, ScanStats{}, nil, err
	}
	defer os.RemoveAll(dir)
	script, cfg, out := filepath.Join(dir, "static_scan.py"), filepath.Join(dir, "config.json"), filepath.Join(dir, "facts.jsonl")
	if err := os.WriteFile(script, ScannerScript, 0o644); err != nil {
		return nil, ScanStats{}, nil, err
	}
	if err := os.WriteFile(cfg, ScannerConfig(rs, lim), 0o644); err != nil {
		return nil, ScanStats{}, nil, err
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, python, "-I", script, root, out, cfg)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, ScanStats{}, nil, fmt.Errorf("static scanner: %w: %s", err, tailString(stderr.String(), 2000))
	}
	f, err := os.Open(out)
	if err != nil {
		return nil, ScanStats{}, nil, err
	}
	defer f.Close()
	return Analyze(rs, f, lim)
}

func tailString(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
