// Package pyti_test holds repository-wide checks.
package pyti_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryPackageHasADocComment fails when a package of this module has no doc comment saying what
// it owns, or more than one: a package says what it owns in one place.
func TestEveryPackageHasADocComment(t *testing.T) {
	documented := map[string][]string{}
	seen := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		seen[dir] = true
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
			documented[dir] = append(documented[dir], filepath.Base(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) == 0 {
		t.Fatal("found no Go packages: is the test running at the module root?")
	}
	for dir := range seen {
		switch docs := documented[dir]; {
		case len(docs) == 0:
			t.Errorf("package in %s has no doc comment: add one saying what it owns", dir)
		case len(docs) > 1:
			t.Errorf("package in %s has %d doc comments (%s): keep one, in doc.go or the main file", dir, len(docs), strings.Join(docs, ", "))
		}
	}
}
