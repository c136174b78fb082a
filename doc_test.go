// Package pyti_test holds repository-wide checks.
package pyti_test

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestEveryPackageHasADocComment fails when a package of this module has no doc comment saying what
// it owns, or more than one: a package says what it owns in one place.
func TestEveryPackageHasADocComment(t *testing.T) {
	problems, packages, err := docProblems(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	if packages == 0 {
		t.Fatal("found no Go packages: is the test running at the module root?")
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestDocProblems: the check itself, on made-up trees.
func TestDocProblems(t *testing.T) {
	doc := func(text string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(text)} }
	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		want []string
	}{
		{"one doc", fstest.MapFS{"a/a.go": doc("// Package a does a.\npackage a\n"), "a/b.go": doc("package a\n")}, nil},
		{"none", fstest.MapFS{"a/a.go": doc("package a\n")},
			[]string{"package in a has no doc comment: add one saying what it owns"}},
		{"two in one directory", fstest.MapFS{"a/a.go": doc("// Package a does a.\npackage a\n"), "a/doc.go": doc("// Package a does more.\npackage a\n")},
			[]string{"package in a has 2 doc comments (a.go, doc.go): keep one, in doc.go or the main file"}},
		{"tests and testdata left out", fstest.MapFS{"a/a.go": doc("// Package a does a.\npackage a\n"),
			"a/a_test.go": doc("// Package a is tested.\npackage a\n"), "a/testdata/x.go": doc("package x\n")}, nil},
		{"a comment that is not the doc", fstest.MapFS{"a/a.go": doc("// Copyright.\n\npackage a\n")},
			[]string{"package in a has no doc comment: add one saying what it owns"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := docProblems(tc.fsys)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("problems (-want +got):\n%s", d)
			}
		})
	}
}

// docProblems walks fsys for Go packages (test files, testdata and hidden directories left out)
// and says which have no package doc comment or more than one; packages counts those found.
func docProblems(fsys fs.FS) (problems []string, packages int, err error) {
	documented := map[string][]string{}
	seen := map[string]bool{}
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		dir := path.Dir(p)
		seen[dir] = true
		f, err := parser.ParseFile(token.NewFileSet(), p, src, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
			documented[dir] = append(documented[dir], path.Base(p))
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	dirs := make([]string, 0, len(seen))
	for dir := range seen {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		switch docs := documented[dir]; {
		case len(docs) == 0:
			problems = append(problems, fmt.Sprintf("package in %s has no doc comment: add one saying what it owns", dir))
		case len(docs) > 1:
			problems = append(problems, fmt.Sprintf("package in %s has %d doc comments (%s): keep one, in doc.go or the main file", dir, len(docs), strings.Join(docs, ", ")))
		}
	}
	return problems, len(seen), nil
}
