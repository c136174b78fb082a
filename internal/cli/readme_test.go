package cli

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadmeListsEveryCommand: the README's architecture block names the commands of the
// command table, all of them and in its order.
func TestReadmeListsEveryCommand(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(data), "\ninternal/cli/")
	if !ok {
		t.Fatal("README.md has no internal/cli/ line in its architecture block")
	}
	block, _, _ = strings.Cut(block, "\ninternal/")
	m := regexp.MustCompile(`(?s)\((analyze.*?)\)`).FindStringSubmatch(block)
	if m == nil {
		t.Fatalf("README.md's internal/cli/ entry lists no commands in parentheses:\n%s", block)
	}
	var listed []string
	for _, f := range strings.Split(m[1], ",") {
		listed = append(listed, strings.TrimSpace(f))
	}
	var table []string
	for _, c := range commands() {
		table = append(table, c.name)
	}
	if d := cmp.Diff(table, listed); d != "" {
		t.Errorf("README.md lists other commands than the command table (-table +README):\n%s", d)
	}
}
