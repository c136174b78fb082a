package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/inspection"
	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/report"
)

// inspect reads the unpacked tree without running any of it: the static scanner parses every
// Python file in the sandbox (no network, nothing of the package run) and the static rules judge
// what it read; then a name imitating a well-known project, the other metadata checks and the
// packaging score. Only the description's rendering runs docutils, also in the sandbox. Its part
// of the report is the packaging score; its findings go to its collector.
func (j *job) inspect(ctx context.Context, d *dag.Data) (*report.Packaging, error) {
	src, _ := KSource.Get(d)
	rules := inspection.DefaultRules()
	lim := inspection.DefaultLimits()
	scanned, stats, facts, err := j.staticScan(ctx, src.Root, rules, lim)
	if err != nil {
		return nil, err
	}
	proj := j.projectFacts(ctx, src)
	pyFiles := 0
	for _, f := range facts {
		if f.T == "file" && f.Role != "pth" {
			pyFiles++
		}
	}
	scanned = append(scanned, inspection.Evaluate(rules, inspection.MetadataFacts(proj, inspection.Popular(), pyFiles, inspection.TopModules(facts)))...)
	var findings []report.Finding
	for _, f := range scanned {
		findings = append(findings, staticFinding(f))
	}
	score, checks := inspection.PackagingScore(proj)
	pk := &report.Packaging{Score: score, Max: 10}
	for _, c := range checks {
		pk.Reasons = append(pk.Reasons, report.Reason{Check: c.Name, Passed: c.Passed, Weight: c.Weight, Detail: c.Detail})
	}
	j.keepJSON("inspect", "scan.json", map[string]any{"stats": stats, "findings": scanned})
	j.out.finding(findings...)
	return pk, nil
}

// staticScan runs the static scanner on root in the sandbox and applies the rules to its facts.
// A scanner that could not finish (a limit hit, a crash) leaves what it read and a finding that
// says so; the facts it wrote are still judged.
func (j *job) staticScan(ctx context.Context, root string, rules *inspection.Rules, lim inspection.Limits) ([]inspection.Finding, inspection.ScanStats, []inspection.Fact, error) {
	dir := filepath.Join(j.work, "inspect")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, inspection.ScanStats{}, nil, err
	}
	script, cfg, out := filepath.Join(dir, "static_scan.py"), filepath.Join(dir, "static-config.json"), filepath.Join(dir, "static-facts.jsonl")
	if err := os.WriteFile(script, inspection.ScannerScript, 0o644); err != nil {
		return nil, inspection.ScanStats{}, nil, err
	}
	if err := os.WriteFile(cfg, inspection.ScannerConfig(rules, lim), 0o644); err != nil {
		return nil, inspection.ScanStats{}, nil, err
	}
	// At a low priority, as the linters: nothing waits for the inspection but the report, and its
	// limit is the scanner's CPU time, which a wait for the CPU does not spend.
	res, err := j.run(ctx, step{task: "inspect", name: "static-scan", dir: j.in(dir), wall: time.Duration(2*lim.MaxSeconds+60) * time.Second,
		argv: append(slices.Clone(lowPriority), j.opts.ToolPython, "-I", j.in(script), j.in(root), j.in(out), j.in(cfg))})
	if err != nil {
		return nil, inspection.ScanStats{}, nil, err
	}
	// Other steps of the job (fetch runs setup.py) share the work space: read the facts without
	// following a link, and keep PYTI's copy in raw/, which outlives the work space.
	f, err := openNoLinks(out)
	if err != nil {
		return nil, inspection.ScanStats{}, nil, fmt.Errorf("the static scanner wrote nothing (%s): %w", describe(res.res), err)
	}
	defer f.Close()
	findings, stats, facts, err := inspection.Analyze(rules, f, lim)
	if err != nil {
		return nil, stats, facts, err
	}
	j.copyOut("inspect", "static-facts.jsonl", out, "application/jsonl")
	if !stats.Complete || !res.ok() {
		findings = append(findings, inspection.Finding{RuleID: "static-scan-incomplete", Severity: report.SeverityMedium,
			Title: "Static reading incomplete", Count: 1,
			Message: fmt.Sprintf("The static scanner stopped before reading everything (%s; %d files read): code it did not reach was not judged.", describe(res.res), stats.Files)})
	}
	return findings, stats, facts, nil
}

func staticFinding(f inspection.Finding) report.Finding {
	rf := report.Finding{Source: "static", View: report.ViewRead, Phase: "inspect", RuleID: f.RuleID, Severity: f.Severity,
		Title: f.Title, Message: f.Message, Count: f.Count}
	if f.File != "" {
		rf.Evidence = []report.Evidence{{Kind: "source", File: f.File, Line: f.Line, Detail: f.Snippet}}
	}
	return rf
}

// projectFacts gathers what the packaging checks read.
func (j *job) projectFacts(ctx context.Context, src Source) inspection.Project {
	var p inspection.Project
	if m := src.Metadata; m != nil {
		p.Name, p.Version, p.Summary, p.Description = m.Name, m.Version, m.Summary, m.Description
		p.DescriptionContentType, p.License, p.RequiresPython = m.DescriptionContentType, m.License, m.RequiresPython
		if p.License == "" {
			p.License = m.LicenseExpression
		}
		p.Author = firstNonEmpty(m.Author, m.AuthorEmail, m.Maintainer, m.MaintainerEmail)
		p.Keywords = strings.Join(m.Keywords, ",")
		p.Classifiers = m.Classifiers
		p.URLs = len(m.ProjectURLs)
		if m.Homepage != "" {
			p.URLs++
			p.HomeURLs = append(p.HomeURLs, m.Homepage)
		}
		for _, u := range m.ProjectURLs {
			p.HomeURLs = append(p.HomeURLs, u.URL)
		}
		for _, e := range []string{m.AuthorEmail, m.MaintainerEmail} {
			if e != "" {
				p.Emails = append(p.Emails, e)
			}
		}
	} else if src.Pyproject != nil && src.Pyproject.Project != nil {
		// A source tree without PKG-INFO (a checkout given as a directory): its pyproject.toml's
		// [project] table says what PKG-INFO would (tomli 2.0.1's tree scored 4/10, "no
		// description", beside the metadata its wheel was built with).
		pp := src.Pyproject.Project
		p.Name, p.Version, p.Summary, p.RequiresPython = pp.Name, pp.Version, pp.Description, pp.RequiresPython
		if r := pp.Readme; r != nil {
			p.Description, p.DescriptionContentType = r.Text, r.ContentType
			if r.File != "" && insideTree(filepath.ToSlash(r.File)) {
				if data, err := readCapped(filepath.Join(src.Root, filepath.FromSlash(r.File)), 4<<20); err == nil {
					p.Description = string(data)
				}
			}
		}
		if l := pp.License; l != nil {
			p.License = firstNonEmpty(l.Expression, l.Text, l.File)
		}
		for _, c := range append(slices.Clone(pp.Authors), pp.Maintainers...) {
			p.Author = firstNonEmpty(p.Author, c.Name, c.Email)
			if c.Email != "" {
				p.Emails = append(p.Emails, c.Email)
			}
		}
		p.Keywords = strings.Join(pp.Keywords, ",")
		p.Classifiers = pp.Classifiers
		p.URLs = len(pp.URLs)
		for _, u := range pp.URLs {
			p.HomeURLs = append(p.HomeURLs, u.URL)
		}
	}
	p.Requires = declaredDependencies(src)
	p.HasPyproject = firstExisting(src.Root, "pyproject.toml") != ""
	p.HasBuildSystem = src.Pyproject != nil && src.Pyproject.BuildSystem != nil
	p.HasSetupPy = firstExisting(src.Root, "setup.py") != ""
	p.HasTests = shipsTests(src.Root)
	p.HasLicenseFile = hasLicenseFile(src.Root)
	if p.IsWheel = src.Kind == "wheel"; p.IsWheel && !p.HasLicenseFile {
		// A wheel keeps its licence text in its .dist-info (or its licenses/ directory).
		infos, _ := filepath.Glob(filepath.Join(src.Root, "*.dist-info"))
		for _, info := range infos {
			p.HasLicenseFile = p.HasLicenseFile || hasLicenseFile(info) || hasLicenseFile(filepath.Join(info, "licenses"))
		}
	}
	p.HasReadme = firstExisting(src.Root, "README", "README.md", "README.rst", "README.txt") != ""
	p.DescriptionRenders = true
	if p.Description != "" && isRST(p.DescriptionContentType) {
		p.DescriptionRenders, p.RenderProblem = j.rendersRST(ctx, p.Description)
	}
	return p
}

// shipsTests reports whether the tree holds tests: test modules, a test runner of its own
// (feedparser's tests/runtests.py), or the doctests its pytest configuration asks for
// (jaraco.context 4.3.0's --doctest-modules, its only tests).
func shipsTests(root string) bool {
	return len(findTestFiles(root, 1)) > 0 || runnerScript(root) != "" || toxScriptCommand(root) != "" || asksDoctests(root)
}

func isRST(contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	return ct == "" || ct == "text/x-rst"
}

// rendersRST renders a reStructuredText description with docutils in the sandbox.
func (j *job) rendersRST(ctx context.Context, text string) (bool, string) {
	dir := filepath.Join(j.work, "inspect")
	file := filepath.Join(dir, "description.rst")
	if err := j.writeNoLinks(nil, "inspect", file, []byte(text), 0o644); err != nil {
		return true, ""
	}
	res, err := j.run(ctx, step{task: "inspect", name: "render-description", dir: j.in(dir), wall: 2 * time.Minute,
		argv: append(slices.Clone(lowPriority), j.opts.ToolPython, "-I", script("render_description.py"), j.in(file))})
	if err != nil || !res.ok() {
		return true, ""
	}
	var out struct {
		Checked bool   `json:"checked"`
		Renders bool   `json:"renders"`
		Problem string `json:"problem"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(res.res.Stdout))), &out); err != nil || !out.Checked {
		return true, ""
	}
	return out.Renders, out.Problem
}

// hasLicenseFile reports whether root holds a licence file: LICENSE, LICENCE.txt, COPYING,
// and those that name the licence too (ordered-set 4.1.0's MIT-LICENSE, LICENSE-APACHE,
// UNLICENSE), or a REUSE-style LICENSES/ directory.
func hasLicenseFile(root string) bool {
	entries, err := os.ReadDir(root)
	if err != nil {
		return false
	}
	for _, e := range entries {
		n := strings.ToUpper(e.Name())
		if strings.Contains(n, "LICENSE") || strings.Contains(n, "LICENCE") || strings.HasPrefix(n, "COPYING") {
			return true
		}
	}
	return false
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// declaredDependencies are the names of the projects the distribution depends on whatever extras
// are asked for, as it declares them without a build: the core metadata's Requires-Dist without an
// extra marker, pyproject.toml's [project] dependencies, setup.cfg's install_requires, and the
// first section of setuptools' egg-info requires.txt (where an sdist made by setuptools keeps a
// setup.py's install_requires).
func declaredDependencies(src Source) []string {
	var raw []string
	if m := src.Metadata; m != nil {
		for _, d := range m.RequiresDist {
			if !strings.Contains(d.Marker, "extra") {
				raw = append(raw, d.Raw)
			}
		}
	}
	if src.Pyproject != nil && src.Pyproject.Project != nil {
		raw = append(raw, src.Pyproject.Project.Dependencies...)
	}
	if src.SetupCfg != nil {
		raw = append(raw, src.SetupCfg.Options.InstallRequires...)
	}
	for _, r := range eggInfoRequires(src.Root) {
		if r.Section == "" {
			raw = append(raw, r.Line)
		}
	}
	var names []string
	seen := map[string]bool{}
	for _, r := range raw {
		req, err := pep440.ParseRequirement(strings.TrimSpace(r))
		if err != nil || seen[pep440.NormalizeName(req.Name)] {
			continue
		}
		seen[pep440.NormalizeName(req.Name)] = true
		names = append(names, req.Name)
	}
	return names
}
