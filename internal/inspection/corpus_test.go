package inspection

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pyti/pyti/internal/report"
)

// TestCorpus scans every directory below $PYTI_STATIC_CORPUS (one unpacked distribution or
// installed package each) and prints, per tree, the most severe finding and the rules at high or
// above: a measurement aid (recall on malware, false alarms on benign code), skipped unless asked.
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
	var names []string
	for _, e := range entries {
		if st, err := os.Stat(filepath.Join(root, e.Name())); err == nil && st.IsDir() {
			names = append(names, e.Name())
		}
	}
	lines := make([]string, len(names))
	worst := make([]report.Severity, len(names))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				findings, stats, _, err := ScanLocal(context.Background(), py, filepath.Join(root, names[i]), DefaultRules(), DefaultLimits())
				if err != nil {
					lines[i] = fmt.Sprintf("CORPUS\t%s\terror\t%v", names[i], err)
					continue
				}
				w := report.Severity("none")
				var rules []string
				for _, f := range findings {
					if f.Severity.Rank() > w.Rank() {
						w = f.Severity
					}
					if f.Severity.Rank() >= report.SeverityHigh.Rank() {
						rules = append(rules, fmt.Sprintf("%s@%s:%d", f.RuleID, f.File, f.Line))
					}
				}
				sort.Strings(rules)
				worst[i] = w
				lines[i] = fmt.Sprintf("CORPUS\t%s\t%s\t%d files\t%.1fs\t%s", names[i], w, stats.Files, stats.Seconds, strings.Join(rules, " "))
			}
		}()
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	high, any := 0, 0
	for i, l := range lines {
		fmt.Println(l)
		if worst[i].Rank() >= report.SeverityHigh.Rank() {
			high++
		}
		if worst[i].Rank() >= report.SeverityLow.Rank() {
			any++
		}
	}
	fmt.Printf("CORPUS-SUMMARY\t%d trees\t%d high or critical\t%d any severity\n", len(names), high, any)
}
