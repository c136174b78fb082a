package detectbench

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// Kinds of Target.
const (
	KindSample  = "sample"  // a malicious distribution from the samples folder
	KindExample = "example" // a benign bundled example project (testdata/examples)
	KindBackend = "backend" // a build backend or installer wheel Debian ships (/usr/share/python-wheels)
	KindDebian  = "debian"  // a Debian python3-* package repackaged as a wheel
)

// Target is one distribution to analyse.
type Target struct {
	Kind string `json:"kind"`
	// Name is what the tables show: the sample's MANIFEST path, or the project and version.
	Name string `json:"name"`
	// Arg is what `pyti analyze` gets: a local file for a sample, NAME==VERSION otherwise.
	Arg string `json:"arg"`
	// SHA256 is the content hash of the distribution file analysed: with the PYTI version, the
	// key of the cached result.
	SHA256 string `json:"sha256"`
	// Sample is the sample's MANIFEST row (KindSample only).
	Sample *ManifestRow `json:"sample,omitempty"`
	// Package is the Debian package the wheel was made from (KindDebian only).
	Package string `json:"package,omitempty"`
}

// Benign reports whether the target belongs to the benign set.
func (t Target) Benign() bool { return t.Kind != KindSample }

// ManifestRow is one line of the samples' MANIFEST.tsv.
type ManifestRow struct {
	Path      string `json:"path"` // relative to the zip's samples/ folder
	SHA1      string `json:"sha1"`
	Year      string `json:"year"`
	Location  string `json:"location"`  // payload_location_guess: setup.py, __init__.py, module or none
	Technique string `json:"technique"` // technique_guess
}

// HasPayload reports whether the MANIFEST locates a payload; "none" rows are counted apart,
// since some of them may carry none.
func (m ManifestRow) HasPayload() bool { return m.Location != "none" }

// ReadManifest parses MANIFEST.tsv (a header line, then path, sha1, year, location, technique).
func ReadManifest(path string) ([]ManifestRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("samples manifest: %w", err)
	}
	defer f.Close()
	return parseManifest(f)
}

func parseManifest(r io.Reader) ([]ManifestRow, error) {
	sc := bufio.NewScanner(r)
	var rows []ManifestRow
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 || strings.TrimSpace(text) == "" {
			continue
		}
		cols := strings.Split(text, "\t")
		if len(cols) != 5 {
			return nil, fmt.Errorf("samples manifest line %d: %d columns, want 5", line, len(cols))
		}
		if !safeRel(cols[0]) {
			return nil, fmt.Errorf("samples manifest line %d: unsafe path %q", line, cols[0])
		}
		rows = append(rows, ManifestRow{Path: cols[0], SHA1: cols[1], Year: cols[2], Location: cols[3], Technique: cols[4]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("samples manifest: %w", err)
	}
	return rows, nil
}

// safeRel reports whether p is a relative path that stays below its root.
func safeRel(p string) bool {
	if p == "" || filepath.IsAbs(p) {
		return false
	}
	c := filepath.Clean(p)
	return c != ".." && !strings.HasPrefix(c, "../")
}

// SamplesPassword is the password of the samples' zip, as malware collections use.
const SamplesPassword = "infected"

// UnpackSamples extracts the encrypted samples zip into dir (a scratch directory outside the
// repository) with Debian's unzip, which reads the zip's traditional PKWARE encryption that Go's
// archive/zip does not. The samples are only written as files: nothing in them is run here.
func UnpackSamples(ctx context.Context, zipPath, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("unpack samples: %w", err)
	}
	cmd := exec.CommandContext(ctx, "unzip", "-q", "-o", "-P", SamplesPassword, zipPath, "-d", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("unpack samples with unzip: %w: %s", err, oneLine(string(out), 300))
	}
	return nil
}

// SampleTargets returns one target per MANIFEST row, reading each sample from
// unpacked/samples/PATH (a wheel the dataset stores as .tar.gz or .zip is written back as the
// .whl it was into unpacked/wheels/ and analysed as such). The MANIFEST's sha1 column is not the unpacked file's (it names the
// archive as the research dataset published it), so the sha256 computed here is the key.
func SampleTargets(rows []ManifestRow, unpacked string) ([]Target, error) {
	var out []Target
	for i := range rows {
		row := rows[i]
		p := filepath.Join(unpacked, "samples", filepath.FromSlash(row.Path))
		// A wheel the dataset stores as .tar.gz or .zip is analysed as the wheel it was.
		whl, err := asWheel(p, filepath.Join(unpacked, "wheels", filepath.FromSlash(path.Dir(row.Path))))
		if err != nil {
			return nil, fmt.Errorf("sample %s: %w", row.Path, err)
		}
		if whl != "" {
			p = whl
		}
		sha256sum, err := FileSHA256(p)
		if err != nil {
			return nil, fmt.Errorf("sample %s: %w", row.Path, err)
		}
		out = append(out, Target{Kind: KindSample, Name: row.Path, Arg: p, SHA256: sha256sum, Sample: &row})
	}
	return out, nil
}

// FileSHA256 is the hex sha256 of a file.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ReadPackageList reads a list of Debian package names, one a line; '#' starts a comment.
func ReadPackageList(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("benign package list: %w", err)
	}
	var out []string
	seen := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		line = strings.TrimSpace(line)
		if line == "" || seen[line] {
			continue
		}
		seen[line] = true
		out = append(out, line)
	}
	return out, nil
}
