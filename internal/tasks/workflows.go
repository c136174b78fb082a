package tasks

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// A project's GitHub Actions workflows say how its maintainers run its tests when tox.ini does
// not: sdists made with setuptools-scm (every file in git) ship them. websocket-client's CI runs
// `pytest websocket/tests`, which leaves out compliance/test_fuzzingclient.py, a script for a
// server it never starts. PYTI reads their run steps' shell commands as it reads tox's, and never
// runs them.

// workflowsDir is where GitHub Actions workflows live in a tree.
const workflowsDir = ".github/workflows"

// maxWorkflows and maxWorkflowBytes bound what is read of them.
const (
	maxWorkflows     = 32
	maxWorkflowBytes = 256 << 10
)

// workflowCommand is one shell command of a workflow's run step: its text, the directory
// (relative to the tree, "" for its top) that an earlier `cd` of the same step left it in, and
// whether it runs in the background (a server the tests talk to).
type workflowCommand struct {
	file, line, dir string
	background      bool
}

// projectPytestCommand is how the project's maintainers run pytest: tox.ini's [testenv] pytest
// command; when tox.ini runs none, the one its CI workflows agree on (workflowPytestCommand:
// jmespath's tox.ini still runs nosetests, its CI `cd tests/ && py.test`); else the one of its
// Makefile's test target (makefilePytestCommand); else what tox.ini says without one (its
// changedir).
func projectPytestCommand(root string) toxPytest {
	tox, found := toxPytestFound(root)
	if found {
		return tox
	}
	if p, ok := workflowPytestCommand(root); ok {
		return p
	}
	if p, ok := makefilePytestCommand(root); ok {
		return p
	}
	return tox
}

// workflowPytestCommand reads the pytest command of root's workflows. A run of a part of the suite
// (-k, a test's node id, --lf) is left out, and so is a run over paths that hold none of the
// tree's test files while another holds them (websocket-client's doctest job over docs/source).
// The rest must name the same paths and directory, and the same options but for the doctests':
// a job that adds --doctest-modules runs the suite with its doctests (networkx runs them in four
// jobs of five), and the answer has them. Else, or when PYTI cannot read a command (a ${{ }} or
// shell variable), there is no answer. The command is alone when no other command of theirs
// runs tests.
func workflowPytestCommand(root string) (toxPytest, bool) {
	cmds := workflowCommands(root)
	var cands []toxPytest
	alone := true
	for _, c := range cmds {
		if c.background {
			continue
		}
		words := shellWords(c.line)
		if !runsPytest(words) {
			if !installs(words) && runsTests(root, words) {
				alone = false
			}
			continue
		}
		if partialRun(words) {
			continue
		}
		if strings.Contains(c.line, "$") || c.dir == unknownDir {
			return toxPytest{}, false
		}
		if p, ok := pytestCommandIn(root, []string{c.line}, c.dir, nil); ok {
			p.source = c.file
			cands = append(cands, p)
		}
	}
	files := findTestFiles(root, 0)
	if suites := slices.DeleteFunc(slices.Clone(cands), func(p toxPytest) bool {
		return len(p.paths) > 0 && len(atOrBelow(files, p.paths)) == 0
	}); len(suites) > 0 {
		cands = suites
	}
	if len(cands) == 0 {
		return toxPytest{}, false
	}
	out := cands[0]
	for _, p := range cands[1:] {
		if !slices.Equal(out.paths, p.paths) || out.changedir != p.changedir ||
			!slices.Equal(withoutDoctests(out.args), withoutDoctests(p.args)) {
			return toxPytest{}, false
		}
		for _, a := range p.args {
			if !slices.Contains(out.args, a) {
				out.args = append(out.args, a)
			}
		}
	}
	out.alone = alone
	return out, true
}

// withoutDoctests are a pytest command's options but the doctests'.
func withoutDoctests(args []string) []string {
	return slices.DeleteFunc(slices.Clone(args), func(a string) bool {
		return a == "--doctest-modules" || strings.HasPrefix(a, "--doctest-glob=")
	})
}

// runsPytest reports whether a command's words run pytest (see pytestAt).
func runsPytest(words []string) bool { return pytestAt(words) >= 0 }

// partialRun reports whether a pytest command runs a part of the suite: by keyword, by a test's
// node id, or the last failures.
func partialRun(words []string) bool {
	for _, w := range words {
		if (strings.HasPrefix(w, "-k") && !strings.HasPrefix(w, "--")) || w == "--lf" || w == "--last-failed" || strings.Contains(w, "::") {
			return true
		}
	}
	return false
}

// installers are programs a workflow runs to install what the tests need, naming pytest and the
// like without running them.
var installers = map[string]bool{"pip": true, "pip3": true, "uv": true, "conda": true, "mamba": true, "micromamba": true,
	"apt": true, "apt-get": true, "brew": true, "choco": true, "sudo": true, "echo": true, "poetry": true, "pipx": true}

// installs reports whether a command's program is an installer.
func installs(words []string) bool {
	return len(words) > 0 && installers[words[0][strings.LastIndex(words[0], "/")+1:]]
}

// leadingAssignments counts the VAR=value words a command starts with.
func leadingAssignments(words []string) int {
	n := 0
	for n < len(words) && assignment.MatchString(words[n]) {
		n++
	}
	return n
}

// assignment is a shell variable assignment word.
var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// quoteWords quotes the words that hold a space, so that shellWords splits their join alike.
func quoteWords(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		if strings.ContainsAny(w, " \t\"'") {
			w = "'" + strings.ReplaceAll(w, "'", `'"'"'`) + "'"
		}
		out[i] = w
	}
	return out
}

// unknownDir marks a command whose directory a `cd` PYTI cannot follow left unknown.
const unknownDir = "\x00unknown"

// workflowCommands reads the shell commands of root's workflows, file by file in name order.
func workflowCommands(root string) []workflowCommand {
	dir := filepath.Join(root, filepath.FromSlash(workflowsDir))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && (strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".yaml")) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) > maxWorkflows {
		names = names[:maxWorkflows]
	}
	var out []workflowCommand
	for _, n := range names {
		data, err := readCapped(filepath.Join(dir, n), maxWorkflowBytes)
		if err != nil {
			continue
		}
		for _, script := range runScripts(string(data)) {
			for _, c := range scriptCommands(root, script) {
				c.file = workflowsDir + "/" + n
				out = append(out, c)
			}
		}
	}
	return out
}

// runKey finds a step's run key: its indentation, and the value on its line.
var runKey = regexp.MustCompile(`^(\s*)(-\s+)?run:\s*(.*?)\s*$`)

// runScripts returns the scripts of a workflow's run steps (its YAML text): a block scalar's
// lines (| or >) without their indentation, or the line's plain or quoted value.
func runScripts(text string) []string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		m := runKey.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		indent := len(m[1]) + len(m[2])
		value := m[3]
		if !strings.HasPrefix(value, "|") && !strings.HasPrefix(value, ">") {
			if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
				value = value[1 : len(value)-1]
			}
			if value != "" && !strings.HasPrefix(value, "#") {
				out = append(out, value)
			}
			continue
		}
		var block []string
		cut := -1
		for i+1 < len(lines) {
			l := lines[i+1]
			trimmed := strings.TrimLeft(l, " \t")
			if trimmed != "" && len(l)-len(trimmed) <= indent {
				break
			}
			i++
			if trimmed == "" {
				block = append(block, "")
				continue
			}
			if n := len(l) - len(trimmed); cut < 0 || n < cut {
				cut = n
			}
			block = append(block, l)
		}
		for k, l := range block {
			if len(l) >= cut && cut >= 0 {
				block[k] = l[cut:]
			}
		}
		out = append(out, strings.Join(block, "\n"))
	}
	return out
}

// scriptCommands splits a run step's script into its commands, as the shell would run them one
// after another: at newlines (a trailing backslash continues the line), ;, &&, || and |,
// outside quotes; comments dropped; a command ending in & runs in the background. A `cd` moves
// the commands after it within the script.
func scriptCommands(root, script string) []workflowCommand {
	script = strings.ReplaceAll(script, "\\\n", " ")
	var out []workflowCommand
	dir := ""
	var cur strings.Builder
	flush := func(background bool) {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		words := shellWords(line)
		if n := leadingAssignments(words); n > 0 && n < len(words) {
			// VAR=value pytest ...: the command is what follows.
			line, words = strings.Join(quoteWords(words[n:]), " "), words[n:]
		}
		if len(words) > 0 && words[0] == "cd" {
			dir = cdTo(root, dir, words[1:])
			return
		}
		out = append(out, workflowCommand{line: line, dir: dir, background: background})
	}
	var quote rune
	comment := false
	rs := []rune(script)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		next := rune(0)
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case comment:
			if r == '\n' {
				comment = false
				flush(false)
			}
		case quote != 0:
			cur.WriteRune(r)
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
			cur.WriteRune(r)
		case r == '#' && (cur.Len() == 0 || strings.HasSuffix(cur.String(), " ")):
			comment = true
		case r == '\n' || r == ';':
			flush(false)
		case (r == '&' || r == '|') && next == r:
			flush(false)
			i++
		case r == '|':
			flush(false)
		case r == '&':
			flush(true)
		default:
			cur.WriteRune(r)
		}
	}
	flush(false)
	return out
}

// cdTo is the directory a `cd ARGS` run in dir leads to: a directory of the tree (relative, ""
// for its top), or unknownDir.
func cdTo(root, dir string, args []string) string {
	switch strings.Join(args, " ") {
	case "", "$GITHUB_WORKSPACE", "${GITHUB_WORKSPACE}", "${{ github.workspace }}":
		return ""
	}
	if dir == unknownDir || len(args) > 1 || strings.ContainsAny(args[0], "$~{") || path.IsAbs(args[0]) {
		return unknownDir
	}
	p := strings.TrimPrefix(path.Clean(path.Join(dir, args[0])), "./")
	if p == "." {
		return ""
	}
	if !insideTree(p) || !isDir(filepath.Join(root, filepath.FromSlash(p))) {
		return unknownDir
	}
	return p
}
