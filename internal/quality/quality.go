// Package quality turns the output of the Python quality tools (pycodestyle, pyflakes, pylint) into
// counts per code, normalised per thousand lines of code, and says which command lines produce that
// output, so that the figures equal what a person gets running the same tools by hand.
package quality

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Report is the quality of the Python files that were linted.
type Report struct {
	// Scope says what was linted (see Scope); Linted lists those files, relative to the install
	// root, and TestsLeftOut the test files the wheel ships, which are counted but not linted.
	// Both lists hold at most MaxPaths entries; Files and TestFiles count them all.
	Scope        string   `json:"scope,omitempty"`
	Linted       []string `json:"linted,omitempty"`
	TestsLeftOut []string `json:"tests_left_out,omitempty"`
	TestFiles    int      `json:"test_files,omitempty"`
	Files        int      `json:"files"`
	// Lines counts non-blank lines that are not only a comment, in the .py files.
	Lines       int            `json:"lines"`
	Pycodestyle map[string]int `json:"pycodestyle,omitempty"`
	StyleTotal  int            `json:"pycodestyle_total"`
	Pyflakes    []Message      `json:"pyflakes,omitempty"`
	FlakesTotal int            `json:"pyflakes_total"`
	Pylint      *Pylint        `json:"pylint,omitempty"`
	// TooBig are the linted files larger than MaxStyledBytes (relative to the install root),
	// which pyflakes alone lints: see TooBigFiles.
	TooBig []string `json:"too_big,omitempty"`
	// Generated are the linted files whose header says a program wrote them (see
	// GeneratedFiles), at most MaxPaths.
	Generated []string `json:"generated,omitempty"`
	// PerKLOC normalises the totals per thousand lines.
	PerKLOC PerKLOC `json:"per_kloc"`
}

// PerKLOC are problem densities per thousand lines of code.
type PerKLOC struct {
	Pycodestyle float64 `json:"pycodestyle"`
	Pyflakes    float64 `json:"pyflakes"`
	// Pylint is absent when pylint gave no result (it timed out, or failed): no count is not none.
	Pylint *float64 `json:"pylint,omitempty"`
}

// Message is one located message of a tool.
type Message struct {
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// Pylint is pylint's verdict.
type Pylint struct {
	// Score is pylint's "rated at" figure out of 10; nil when pylint gave none (nothing to rate).
	Score      *float64       `json:"score"`
	ByCategory map[string]int `json:"by_category,omitempty"`
	BySymbol   map[string]int `json:"by_symbol,omitempty"`
	Total      int            `json:"total"`
	Messages   []Message      `json:"messages,omitempty"`
	// Disabled are the checks pylint ran without (PylintDisabled), which its score leaves out.
	Disabled []string `json:"disabled,omitempty"`
}

// PylintDisabled are the checks PYTI runs pylint without: duplicate-code, whose similarity
// checker compares every file with every other, and was four fifths of pylint's CPU time on
// Pygments 2.17.2 (321 modules: 155 s of 187 s); it finds copied lines, not defects, and PYTI's
// lint is the one on the critical path of a big package's analysis.
var PylintDisabled = []string{"duplicate-code"}

// MaxMessages bounds the located messages kept per tool; counts are never bounded.
const MaxMessages = 500

// MaxPaths bounds the file lists a report keeps; counts are never bounded.
const MaxPaths = 2000

// PycodestyleArgs is the command (after the interpreter) whose output ParsePycodestyle reads;
// tooBig are files below dir (relative, slash-separated) it leaves out (see TooBigFiles).
func PycodestyleArgs(dir string, tooBig []string) []string {
	args := []string{"-m", "pycodestyle", "--statistics", "-qq"}
	// --exclude takes glob patterns, matched on a file's name and on its absolute path, and
	// replaces pycodestyle's own list, which comes first. A plain path holds no glob's character.
	if paths := plainPaths(dir, tooBig); len(paths) > 0 {
		args = append(args, "--exclude="+pycodestyleExclude+","+strings.Join(paths, ","))
	}
	return append(args, dir)
}

// pycodestyleExclude is pycodestyle's default --exclude.
const pycodestyleExclude = ".svn,CVS,.bzr,.hg,.git,__pycache__,.tox"

// PyflakesArgs is the command (after the interpreter) whose output ParsePyflakes reads.
func PyflakesArgs(dir string) []string { return []string{"-m", "pyflakes", dir} }

// PylintTemplate is the message template ParsePylint reads.
const PylintTemplate = "{path}:{line}:{column}: {msg_id} {symbol} {msg}"

// PylintArgs is the command (after the interpreter) whose output ParsePylint reads. dir, where the
// modules lie as they are installed, and the sysPath entries (directories, or wheels: astroid
// reads zip files on sys.path as Python does) are appended to pylint's sys.path, so that it
// imports the package and its dependencies as they are installed: pylint itself puts only the
// nearest directory without an __init__.py there, which for a namespace package's module
// (zope/event/classhandler.py) is zope/, where `import zope.event` finds nothing.
//
// tooBig are files below dir (relative, slash-separated) that pylint leaves out: see
// TooBigFiles.
func PylintArgs(dir string, tooBig []string, sysPath ...string) []string {
	return append([]string{"-m", "pylint"}, PylintOptions(dir, tooBig, sysPath...)...)
}

// PylintOptions are PylintArgs without `-m pylint`: pylint's own arguments, for a caller that
// starts pylint its own way (PYTI's lint starts it with only its own distributions on sys.path).
func PylintOptions(dir string, tooBig []string, sysPath ...string) []string {
	// --jobs=1: pylint in one process, as a maintainer runs it. Its parallel mode (--jobs=0)
	// loses the checks that need every module at once (cyclic-import: toolz 1.1.0 gave 259
	// messages instead of 262), and each worker infers again what another already did: on two
	// CPUs it took more CPU time for the same files, which the tests running beside it lacked.
	// --disable: see PylintDisabled.
	args := []string{"--recursive=y", "--score=y", "--persistent=n", "--jobs=1", "--disable=" + strings.Join(PylintDisabled, ","), "--msg-template=" + PylintTemplate}
	quoted := []string{strconv.Quote(dir)}
	for _, p := range sysPath {
		quoted = append(quoted, strconv.Quote(p))
	}
	args = append(args, "--init-hook=import sys; sys.path.extend(["+strings.Join(quoted, ", ")+"])")
	if len(tooBig) > 0 {
		// Regular expressions on the paths pylint walks (dir joined with the file's path),
		// separated by commas. pylint reads each through pathlib.PureWindowsPath, where a
		// backslash is a separator: the dots are matched by a class, not escaped.
		var patterns []string
		for _, p := range plainPaths(dir, tooBig) {
			patterns = append(patterns, "^"+strings.ReplaceAll(p, ".", "[.]")+"$")
		}
		if len(patterns) > 0 {
			args = append(args, "--ignore-paths="+strings.Join(patterns, ","))
		}
	}
	return append(args, dir)
}

// plainPath is a path PylintArgs and PycodestyleArgs can name in a pattern as it is, its dots
// aside: no comma (their lists' separator), no glob's or regular expression's character.
var plainPath = regexp.MustCompile(`^[A-Za-z0-9_./-]+$`)

// plainPaths are the files (relative to dir, slash-separated) joined to dir, those whose full
// path is plain only.
func plainPaths(dir string, files []string) []string {
	var out []string
	for _, f := range files {
		if p := strings.TrimSuffix(dir, "/") + "/" + f; plainPath.MatchString(p) {
			out = append(out, p)
		}
	}
	return out
}

// MaxStyledBytes is the size above which a module is left out of pylint and pycodestyle: a
// generated table (emoji 2.10.1's unicode_codes/data_dict.py, 3 MB of dict literals) kept pylint
// busy for ten minutes of CPU on that file alone and pycodestyle for four (160,113 E231), and a
// maintainer lints no such file. The largest modules people write (pyparsing's core.py,
// Pygments' biggest lexers) are below a third of it. pyflakes, quick on any size, lints it.
const MaxStyledBytes = 768 << 10

// TooBigFiles lists the .py files below root larger than MaxStyledBytes, relative to root with
// slashes, in the order of the walk. Only a path of letters, digits, `_`, `-`, `.` and `/` is
// listed: the tools take patterns, split on commas (see PylintArgs, PycodestyleArgs).
func TooBigFiles(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".py") {
			return err
		}
		info, err := d.Info()
		if err != nil || info.Size() <= MaxStyledBytes {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil || !plainPath.MatchString(filepath.ToSlash(rel)) {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	return out, err
}

// GeneratedFiles lists the .py files below root (relative, with slashes, in the order of the
// walk, at most MaxPaths) whose first lines say a program wrote them: "automatically generated",
// "do not edit", "Generated by the protocol buffer compiler", "@generated". They are linted as
// they are installed, and the report names them, since their style is the generator's (pycparser
// 2.21's yacctab.py, PLY's parser table, holds 35,660 of its 36,922 pycodestyle messages).
func GeneratedFiles(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".py") || len(out) >= MaxPaths {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		head := make([]byte, 1024)
		n, _ := io.ReadFull(f, head)
		f.Close()
		if !generatedHeader.Match(head[:n]) {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	return out, err
}

// generatedHeader is a generator's mark in a file's first lines, in a comment or its docstring.
var generatedHeader = regexp.MustCompile(`(?i)(?:\bautomatically[ -]generated|\bauto-?generated|\bdo not edit\b|@generated\b|\b(?:file|module|code) (?:is |was )?generated (?:automatically|by|from|with)\b|\bgenerated by the protocol buffer compiler)`)

var statRe = regexp.MustCompile(`^(\d+)\s+([A-Z]\d{3})\b`)

// ParsePycodestyle reads `pycodestyle --statistics -qq` output: counts per code.
func ParsePycodestyle(out string) map[string]int {
	counts := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		if m := statRe.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			n, _ := strconv.Atoi(m[1])
			counts[m[2]] += n
		}
	}
	return counts
}

var locRe = regexp.MustCompile(`^(.+?):(\d+):(?:\d+:)? ?(.*)$`)

// ParsePyflakes reads pyflakes output: one message per located line.
func ParsePyflakes(out string) []Message {
	var msgs []Message
	for _, line := range strings.Split(out, "\n") {
		m := locRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		msgs = append(msgs, Message{Path: m[1], Line: n, Message: strings.TrimSpace(m[3])})
	}
	return msgs
}

var (
	pylintRe = regexp.MustCompile(`^(.+?):(\d+):\d+: ([CRWEFI]\d{4}) ([a-z0-9-]+) (.*)$`)
	ratedRe  = regexp.MustCompile(`Your code has been rated at (-?[\d.]+)/10`)
)

var categories = map[byte]string{'C': "convention", 'R': "refactor", 'W': "warning", 'E': "error", 'F': "fatal", 'I': "info"}

// ParsePylint reads pylint output made with PylintTemplate and --score=y.
func ParsePylint(out string) *Pylint {
	p := &Pylint{ByCategory: map[string]int{}, BySymbol: map[string]int{}, Disabled: slices.Clone(PylintDisabled)}
	for _, line := range strings.Split(out, "\n") {
		if m := ratedRe.FindStringSubmatch(line); m != nil {
			if v, err := strconv.ParseFloat(m[1], 64); err == nil {
				p.Score = &v
			}
			continue
		}
		m := pylintRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if m[3][0] == 'I' {
			continue // informational, not counted by pylint's score either
		}
		p.ByCategory[categories[m[3][0]]]++
		p.BySymbol[m[4]]++
		p.Total++
		if len(p.Messages) < MaxMessages {
			n, _ := strconv.Atoi(m[2])
			p.Messages = append(p.Messages, Message{Path: m[1], Line: n, Code: m[3], Message: m[5]})
		}
	}
	return p
}

// CountLines counts the .py files below root and their lines of code (non-blank, not only a
// comment). Links are not followed.
func CountLines(root string) (files, lines int, err error) {
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 || d.IsDir() || !strings.HasSuffix(d.Name(), ".py") {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		files++
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
		for sc.Scan() {
			t := strings.TrimSpace(sc.Text())
			if t != "" && !strings.HasPrefix(t, "#") {
				lines++
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("counting lines of %s: %w", path, err)
		}
		return nil
	})
	return files, lines, err
}

// Finish fills the totals and densities.
func (r *Report) Finish() {
	r.StyleTotal = 0
	for _, n := range r.Pycodestyle {
		r.StyleTotal += n
	}
	r.FlakesTotal = len(r.Pyflakes)
	if len(r.Pyflakes) > MaxMessages {
		r.Pyflakes = r.Pyflakes[:MaxMessages]
	}
	if r.Lines > 0 {
		k := float64(r.Lines) / 1000
		r.PerKLOC.Pycodestyle = round2(float64(r.StyleTotal) / k)
		r.PerKLOC.Pyflakes = round2(float64(r.FlakesTotal) / k)
		if r.Pylint != nil {
			v := round2(float64(r.Pylint.Total) / k)
			r.PerKLOC.Pylint = &v
		}
	}
}

// TopCodes returns the n most frequent pycodestyle codes, most frequent first.
func (r *Report) TopCodes(n int) []string {
	codes := make([]string, 0, len(r.Pycodestyle))
	for c := range r.Pycodestyle {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		a, b := r.Pycodestyle[codes[i]], r.Pycodestyle[codes[j]]
		if a != b {
			return a > b
		}
		return codes[i] < codes[j]
	})
	if len(codes) > n {
		codes = codes[:n]
	}
	return codes
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
