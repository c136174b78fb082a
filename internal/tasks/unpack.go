package tasks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pyti/pyti/internal/archive"
	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/report"
)

// maxMetadataBytes caps PKG-INFO and METADATA before parsing.
const maxMetadataBytes = 16 << 20

// unpack extracts the archive on the host with the safe extractor (one fresh directory, limits
// enforced while streaming) and reads its metadata, pyproject.toml and setup.cfg. A refused
// archive fails the task with its named verdict. It produces the source tree, and for the report
// the metadata read.
func (j *job) unpack(ctx context.Context, d *dag.Data) (unpacked, error) {
	a, _ := KArchive.Get(d)
	src := Source{Kind: a.Kind}
	if a.Kind == "tree" {
		root := filepath.Join(j.src, filepath.Base(a.Path))
		if err := copyTree(a.Path, root); err != nil {
			return unpacked{}, fmt.Errorf("copying the source directory: %w", err)
		}
		src.Root = root
	} else {
		inv, err := archive.Extract(ctx, a.Path, j.src, archive.DefaultLimits())
		if inv != nil {
			j.keepJSON("unpack", "inventory.json", inv)
		}
		if err != nil {
			switch archive.RefusalOf(err) {
			case archive.UnsafeArchive:
				j.out.hint(nil, report.VerdictUnsafe, err.Error())
			case archive.ArchiveLimits, archive.MetadataTooLarge:
				j.out.hint(nil, report.VerdictLimits, err.Error())
			case archive.MalformedArchive:
				j.out.hint(nil, report.VerdictMalformed, err.Error())
			}
			return unpacked{}, err
		}
		j.out.finding(archiveFindings(inv)...)
		if a.Kind == "wheel" {
			j.checkRecord(ctx, nil, "unpack", a.Path, a.Filename)
		}
		src.Root = j.src
		if a.Kind == "sdist" {
			src.Root = sdistRoot(j.src)
		}
	}
	out, err := readMetadata(&src, a)
	if err != nil {
		return out, err
	}
	out.Source = src
	return out, nil
}

// sdistRoot is the sdist's single top directory (name-version/), or dir itself when the archive
// has files at its top or several directories.
func sdistRoot(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || !entries[0].IsDir() {
		return dir
	}
	return filepath.Join(dir, entries[0].Name())
}

// readMetadata reads PKG-INFO (sdist) or the wheel's METADATA, and the project's pyproject.toml
// and setup.cfg, into src and the report's part. Problems are recorded, never fatal: a broken
// metadata file is a result.
func readMetadata(src *Source, a Archive) (unpacked, error) {
	var metaPath string
	switch src.Kind {
	case "wheel":
		matches, _ := filepath.Glob(filepath.Join(src.Root, "*.dist-info", "METADATA"))
		if len(matches) > 0 {
			metaPath = matches[0]
		}
	default:
		metaPath = firstExisting(src.Root, "PKG-INFO")
	}
	var problems []pkgmeta.Problem
	if metaPath != "" {
		f, err := openNoLinks(metaPath)
		if err != nil {
			return unpacked{}, err
		}
		m, err := pkgmeta.ParseCoreMetadata(f, maxMetadataBytes)
		f.Close()
		if err != nil {
			problems = append(problems, pkgmeta.Problem{Field: "metadata", Severity: "error", Message: err.Error()})
		} else {
			src.Metadata = m
			if a.Kind != "tree" {
				problems = append(problems, pkgmeta.Validate(m, a.Filename)...)
			}
		}
	} else if src.Kind != "tree" {
		problems = append(problems, pkgmeta.Problem{Field: "metadata", Severity: "error", Message: "the distribution has no PKG-INFO or METADATA file"})
	}
	if p := firstExisting(src.Root, "pyproject.toml"); p != "" && src.Kind != "wheel" {
		if data, err := readCapped(p, maxMetadataBytes); err == nil {
			pp, probs := pkgmeta.ParsePyproject(data)
			src.Pyproject = pp
			problems = append(problems, probs...)
		} else {
			problems = append(problems, pkgmeta.Problem{Field: "pyproject.toml", Severity: "error", Message: err.Error()})
		}
	}
	if p := firstExisting(src.Root, "setup.cfg"); p != "" && src.Kind != "wheel" {
		if data, err := readCapped(p, maxMetadataBytes); err == nil {
			sc, probs := pkgmeta.ParseSetupCfg(data)
			src.SetupCfg = sc
			problems = append(problems, probs...)
		}
	}
	out := unpacked{Tree: src.Kind == "tree"}
	for _, p := range problems {
		out.Problems = append(out.Problems, report.Problem{Field: p.Field, Severity: string(p.Severity), Message: p.Message})
	}
	if m := src.Metadata; m != nil {
		out.Metadata = reportMetadata(m)
		out.Named, out.Project, out.Version = true, m.Name, m.Version
	} else if src.Pyproject != nil && src.Pyproject.Project != nil {
		out.Named, out.Project, out.Version = true, src.Pyproject.Project.Name, src.Pyproject.Project.Version
	}
	return out, nil
}

// archiveFindings turns what the extractor kept as data (odd names, duplicates, case collisions)
// into static findings.
func archiveFindings(inv *archive.Inventory) []report.Finding {
	var fs []report.Finding
	for _, s := range inv.Skipped {
		fs = append(fs, report.Finding{Source: "static", Phase: "unpack", RuleID: "archive-odd-name", Severity: report.SeverityMedium,
			Title: "Archive member kept as data only", Message: fmt.Sprintf("The member %s was not extracted: %s.", s.DisplayName, s.Reason), Count: 1})
	}
	for _, dup := range inv.Duplicates {
		fs = append(fs, report.Finding{Source: "static", Phase: "unpack", RuleID: "archive-duplicate", Severity: report.SeverityMedium,
			Title: "Duplicate archive member", Message: fmt.Sprintf("The archive holds %s more than once, every copy identical (a copy that differs is refused as unsafe).", dup), Count: 1})
	}
	for _, group := range inv.CaseCollisions {
		fs = append(fs, report.Finding{Source: "static", Phase: "unpack", RuleID: "archive-case-collision", Severity: report.SeverityLow,
			Title: "Names that differ only by case", Message: "These members collide on case-insensitive file systems: " + strings.Join(group, ", "), Count: 1})
	}
	return fs
}

func reportMetadata(m *pkgmeta.CoreMetadata) *report.Metadata {
	rm := &report.Metadata{
		MetadataVersion: m.MetadataVersion, Name: m.Name, Version: m.Version, Summary: m.Summary,
		Description: m.Description, DescriptionContentType: m.DescriptionContentType,
		License: m.License, RequiresPython: m.RequiresPython, ProvidesExtra: m.ProvidesExtra,
		Classifiers: m.Classifiers, Author: m.Author, HomePage: m.Homepage,
	}
	if rm.License == "" {
		rm.License = m.LicenseExpression
	}
	for _, r := range m.RequiresDist {
		rm.RequiresDist = append(rm.RequiresDist, r.Raw)
	}
	if len(m.ProjectURLs) > 0 {
		rm.ProjectURLs = map[string]string{}
		for _, u := range m.ProjectURLs {
			rm.ProjectURLs[u.Label] = u.URL
		}
	}
	if len(rm.Description) > 64<<10 {
		rm.Description = rm.Description[:64<<10] + "\n[... cut by PYTI ...]"
	}
	return rm
}

// keepJSON writes v as raw data of task.
func (j *job) keepJSON(task, name string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return
	}
	dir := filepath.Join(j.raw, task)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return
	}
	j.addArtifactFile(task, name, path, "application/json")
}
