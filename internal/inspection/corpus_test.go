package inspection

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestCorpus scans every directory below $PYTI_STATIC_CORPUS (one unpacked distribution each)
// and prints, per distribution, the most severe finding and the rules at high or above: a
// measurement aid (recall on malware, false alarms on benign trees), skipped unless asked for.
func TestCorpus(t *testing.T) {
	root := os.Getenv("PYTI_STATIC_CORPUS")
	if root == "" {
		t.Skip("PYTI_STATIC_CORPUS is not set")
	}
	py := python(t)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	high, any := 0, 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		findings, stats, _, err := ScanLocal(context.Background(), py, filepath.Join(root, e.Name()), DefaultRules(), DefaultLimits())
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		worst := Severity("none")
		var rules []string
		for _, f := range findings {
			if f.Severity.rank() > worst.rank() {
				worst = f.Severity
			}
			if f.Severity.rank() >= High.rank() {
				rules = append(rules, fmt.Sprintf("%s@%s:%d", f.RuleID, f.File, f.Line))
			}
		}
		sort.Strings(rules)
		if worst.rank() >= High.rank() {
			high++
		}
		if worst.rank() >= Low.rank() {
			any++
		}
		fmt.Printf("CORPUS\t%s\t%s\t%d files\t%.1fs\t%s\n", e.Name(), worst, stats.Files, stats.Seconds, strings.Join(rules, " "))
	}
	fmt.Printf("CORPUS-SUMMARY\t%d trees\t%d high or critical\t%d any severity\n", len(entries), high, any)
}
