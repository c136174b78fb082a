// Package debwheel repackages Python distributions that Debian installed (python3-pytest,
// python3-coverage, ...) into wheels, so that a loopback index can serve the same real test tools
// that PyPI serves to PYTI in production. The files are Debian's own, byte for byte; only the
// wheel's dist-info (METADATA, WHEEL, RECORD) is written anew, from Debian's metadata.
//
// The packages may come from the host (Build) or from another Debian root file system such as
// one of PYTI's images (BuildFrom): the root is read as data, through dpkg's own database
// (var/lib/dpkg/status and info/PKG.list), and no path or symbolic link in it can lead outside it.
package debwheel

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// DistPackages is where Debian installs Python 3 distributions.
const DistPackages = "/usr/lib/python3/dist-packages"

// TestTools are the Debian packages holding pytest, coverage.py and what pytest needs.
var TestTools = []string{"python3-pytest", "python3-pluggy", "python3-iniconfig", "python3-packaging", "python3-attr", "python3-coverage"}

// Result is what BuildFrom did.
type Result struct {
	// Wheels holds, for each package built, the path of its wheel in outDir. When a wheel of the
	// same name was already there, that existing file is the one listed (see Kept).
	Wheels []string
	// Missing are the packages asked for that are not installed in the root: they were skipped.
	Missing []string
	// Kept are the wheels that already existed in outDir with other content than the one just
	// built (same name, so same version and tag): the existing file was kept, never overwritten.
	Kept []string
}

// Build writes one wheel per Debian package installed on this machine into outDir and returns
// their paths. Every package must be installed.
func Build(ctx context.Context, outDir string, packages []string) ([]string, error) {
	res, err := buildFrom(ctx, "/", outDir, packages, false)
	if err != nil {
		return nil, err
	}
	return res.Wheels, nil
}

// BuildFrom writes one wheel per Debian package installed in the root file system root (for
// instance an image's root) into outDir. Packages not installed there are skipped and listed in
// Result.Missing. A wheel file already in outDir is never replaced (see Result.Kept).
func BuildFrom(ctx context.Context, root, outDir string, packages []string) (*Result, error) {
	return buildFrom(ctx, root, outDir, packages, true)
}

func buildFrom(ctx context.Context, root, outDir string, packages []string, allowMissing bool) (*Result, error) {
	rfs, db, err := openDpkg(root)
	if err != nil {
		return nil, err
	}
	defer rfs.Close()
	res := &Result{}
	var todo []*dpkgPackage
	for _, name := range packages {
		p := db.installed(name)
		if p == nil {
			res.Missing = append(res.Missing, name)
			continue
		}
		todo = append(todo, p)
	}
	if len(res.Missing) > 0 && !allowMissing {
		return nil, fmt.Errorf("not installed on this machine: %s (apt-get install %s)",
			strings.Join(res.Missing, ", "), strings.Join(res.Missing, " "))
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	pyVersion := rfs.pythonVersion()
	for _, p := range todo {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		files, err := packageFiles(rfs, p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		path, kept, err := buildWheel(ctx, rfs, outDir, p, pyVersion, files)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		res.Wheels = append(res.Wheels, path)
		if kept {
			res.Kept = append(res.Kept, path)
		}
	}
	return res, nil
}
