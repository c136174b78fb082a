package tasks

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/inspection"
	"github.com/pyti/pyti/internal/report"
)

// inspect looks at the unpacked tree without running any of it (suspicious code, a name imitating
// a well-known project, the packaging score); only the description's rendering runs docutils, in
// the sandbox.
func (j *job) inspect(ctx context.Context, d *dag.Data) error {
	src, _ := KSource.Get(d)
	scanned, stats, err := inspection.Scan(src.Root, inspection.DefaultLimits())
	if err != nil {
		return err
	}
	var findings []report.Finding
	for _, f := range scanned {
		findings = append(findings, staticFinding(f))
	}
	proj := j.projectFacts(ctx, src)
	if f := inspection.Typosquat(proj.Name, inspection.Popular()); f != nil {
		findings = append(findings, staticFinding(*f))
	}
	score, checks := inspection.PackagingScore(proj)
	pk := &report.Packaging{Score: score, Max: 10}
	for _, c := range checks {
		pk.Reasons = append(pk.Reasons, report.Reason{Check: c.Name, Passed: c.Passed, Weight: c.Weight, Detail: c.Detail})
	}
	j.keepJSON("inspect", "scan.json", map[string]any{"stats": stats, "findings": scanned})
	j.edit(func(r *report.Report) {
		r.Findings = append(r.Findings, findings...)
		r.Packaging = pk
	})
	KInspected.Set(d, true)
	return nil
}

func staticFinding(f inspection.Finding) report.Finding {
	rf := report.Finding{Source: "static", Phase: "inspect", RuleID: f.RuleID, Severity: report.Severity(f.Severity),
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
		}
	} else if src.Pyproject != nil && src.Pyproject.Project != nil {
		p.Name, p.Version = src.Pyproject.Project.Name, src.Pyproject.Project.Version
	}
	p.HasPyproject = firstExisting(src.Root, "pyproject.toml") != ""
	p.HasBuildSystem = src.Pyproject != nil && src.Pyproject.BuildSystem != nil
	p.HasSetupPy = firstExisting(src.Root, "setup.py") != ""
	p.HasTests = len(findTestFiles(src.Root, 1)) > 0
	p.HasLicenseFile = hasLicenseFile(src.Root)
	p.HasReadme = firstExisting(src.Root, "README", "README.md", "README.rst", "README.txt") != ""
	p.DescriptionRenders = true
	if p.Description != "" && isRST(p.DescriptionContentType) {
		p.DescriptionRenders, p.RenderProblem = j.rendersRST(ctx, p.Description)
	}
	return p
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
		argv: []string{j.opts.ToolPython, "-I", script("render_description.py"), j.in(file)}})
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

func hasLicenseFile(root string) bool {
	entries, err := os.ReadDir(root)
	if err != nil {
		return false
	}
	for _, e := range entries {
		n := strings.ToUpper(e.Name())
		if strings.HasPrefix(n, "LICENSE") || strings.HasPrefix(n, "LICENCE") || strings.HasPrefix(n, "COPYING") {
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
