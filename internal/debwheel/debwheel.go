// Package debwheel repackages Python distributions that Debian installed (python3-pytest,
// python3-coverage, ...) into wheels, so that a loopback index can serve the same real test tools
// that PyPI serves to PYTI in production. The files are Debian's own, byte for byte; only the
// wheel's dist-info (METADATA, WHEEL, RECORD) is written anew, from Debian's metadata.
package debwheel

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// DistPackages is where Debian installs Python 3 distributions.
const DistPackages = "/usr/lib/python3/dist-packages"

// TestTools are the Debian packages holding pytest, coverage.py and what pytest needs.
var TestTools = []string{"python3-pytest", "python3-pluggy", "python3-iniconfig", "python3-packaging", "python3-attr", "python3-coverage"}

// Build writes one wheel per Debian package into outDir and returns their paths.
func Build(ctx context.Context, outDir string, packages []string) ([]string, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	var out []string
	for _, pkg := range packages {
		files, err := packageFiles(ctx, pkg)
		if err != nil {
			return nil, err
		}
		path, err := buildWheel(outDir, pkg, files)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pkg, err)
		}
		out = append(out, path)
	}
	return out, nil
}

// packageFiles lists the files a Debian package installed below DistPackages, relative to it.
func packageFiles(ctx context.Context, pkg string) ([]string, error) {
	out, err := exec.CommandContext(ctx, "dpkg", "-L", pkg).Output()
	if err != nil {
		return nil, fmt.Errorf("dpkg -L %s: %w (is the package installed?)", pkg, err)
	}
	var files []string
	for _, line := range strings.Split(string(out), "\n") {
		rel, ok := strings.CutPrefix(line, DistPackages+"/")
		if !ok || strings.Contains(rel, "__pycache__") || strings.HasSuffix(rel, ".pyc") {
			continue
		}
		info, err := os.Stat(filepath.Join(DistPackages, rel))
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		files = append(files, rel)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("%s installs no Python 3 distribution", pkg)
	}
	return files, nil
}

var metaDirRe = regexp.MustCompile(`^([^/]+)\.(dist-info|egg-info)/`)

func buildWheel(outDir, pkg string, files []string) (string, error) {
	var metaDir, kind string
	var payload []string
	for _, f := range files {
		if m := metaDirRe.FindStringSubmatch(f); m != nil {
			metaDir, kind = m[1]+"."+m[2], m[2]
			continue
		}
		payload = append(payload, f)
	}
	if metaDir == "" {
		return "", fmt.Errorf("no dist-info or egg-info directory")
	}
	metaPath := filepath.Join(DistPackages, metaDir)
	var metadata []byte
	var err error
	extra := map[string][]byte{}
	if kind == "dist-info" {
		if metadata, err = os.ReadFile(filepath.Join(metaPath, "METADATA")); err != nil {
			return "", err
		}
		for _, n := range []string{"entry_points.txt", "top_level.txt"} {
			if b, err := os.ReadFile(filepath.Join(metaPath, n)); err == nil {
				extra[n] = b
			}
		}
	} else {
		pkgInfo, err := os.ReadFile(filepath.Join(metaPath, "PKG-INFO"))
		if err != nil {
			return "", err
		}
		requires, _ := os.ReadFile(filepath.Join(metaPath, "requires.txt"))
		metadata = eggMetadata(pkgInfo, requires)
		for _, n := range []string{"entry_points.txt", "top_level.txt"} {
			if b, err := os.ReadFile(filepath.Join(metaPath, n)); err == nil {
				extra[n] = b
			}
		}
	}
	name, version := header(metadata, "Name"), header(metadata, "Version")
	if name == "" || version == "" {
		return "", fmt.Errorf("metadata without Name or Version")
	}
	tag := "py3-none-any"
	for _, f := range payload {
		if m := regexp.MustCompile(`\.cpython-3(\d+)-x86_64-linux-gnu\.so$`).FindStringSubmatch(f); m != nil {
			tag = fmt.Sprintf("cp3%s-cp3%s-linux_x86_64", m[1], m[1])
		}
	}
	distName := regexp.MustCompile(`[^A-Za-z0-9.]+`).ReplaceAllString(name, "_")
	wheelVersion := strings.ReplaceAll(version, "-", "_")
	distInfo := distName + "-" + wheelVersion + ".dist-info"
	path := filepath.Join(outDir, distName+"-"+wheelVersion+"-"+tag+".whl")

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var record strings.Builder
	add := func(name string, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", name, base64.RawURLEncoding.EncodeToString(sum[:]), len(data))
		return nil
	}
	for _, f := range payload {
		data, err := os.ReadFile(filepath.Join(DistPackages, f))
		if err != nil {
			return "", err
		}
		if err := add(f, data); err != nil {
			return "", err
		}
	}
	if err := add(distInfo+"/METADATA", metadata); err != nil {
		return "", err
	}
	wheelFile := fmt.Sprintf("Wheel-Version: 1.0\nGenerator: pyti-debwheel (from Debian package %s)\nRoot-Is-Purelib: %v\nTag: %s\n", pkg, tag == "py3-none-any", tag)
	if err := add(distInfo+"/WHEEL", []byte(wheelFile)); err != nil {
		return "", err
	}
	names := make([]string, 0, len(extra))
	for n := range extra {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := add(distInfo+"/"+n, extra[n]); err != nil {
			return "", err
		}
	}
	record.WriteString(distInfo + "/RECORD,,\n")
	w, err := zw.Create(distInfo + "/RECORD")
	if err != nil {
		return "", err
	}
	if _, err := w.Write([]byte(record.String())); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// header returns the first value of a metadata header.
func header(meta []byte, name string) string {
	sc := bufio.NewScanner(bytes.NewReader(meta))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			return ""
		}
		if v, ok := strings.CutPrefix(line, name+": "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// eggMetadata turns an egg-info PKG-INFO plus requires.txt into wheel METADATA with Requires-Dist
// and Provides-Extra headers.
func eggMetadata(pkgInfo, requires []byte) []byte {
	headerEnd := bytes.Index(pkgInfo, []byte("\n\n"))
	head, body := pkgInfo, []byte(nil)
	if headerEnd >= 0 {
		head, body = pkgInfo[:headerEnd], pkgInfo[headerEnd+2:]
	}
	var add strings.Builder
	section := ""
	extras := map[string]bool{}
	for _, line := range strings.Split(string(requires), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = line[1 : len(line)-1]
			continue
		}
		extra, marker, _ := strings.Cut(section, ":")
		var conds []string
		if marker != "" {
			conds = append(conds, "("+marker+")")
		}
		if extra != "" {
			conds = append(conds, fmt.Sprintf("extra == %q", extra))
			if !extras[extra] {
				extras[extra] = true
				fmt.Fprintf(&add, "Provides-Extra: %s\n", extra)
			}
		}
		req := line
		if len(conds) > 0 {
			req += "; " + strings.Join(conds, " and ")
		}
		fmt.Fprintf(&add, "Requires-Dist: %s\n", req)
	}
	out := append([]byte(nil), head...)
	out = append(out, '\n')
	out = append(out, add.String()...)
	if len(body) > 0 {
		out = append(out, '\n')
		out = append(out, body...)
	}
	return out
}
