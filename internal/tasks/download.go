package tasks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/report"
)

// download brings the chosen file to the host, verified against the index's sha256 into the shared
// content-addressed cache (a second analysis of the same file does not touch the network). A local
// file is hashed where it is.
//
// Its part of the report is the local file, when the request named one (an index's files are
// resolve's).
func (j *job) download(ctx context.Context, d *dag.Data) (downloaded, error) {
	req, _ := KRequest.Get(d)
	rel, _ := KRelease.Get(d)
	if req.Path != "" {
		info, err := os.Stat(req.Path)
		if err != nil {
			return downloaded{}, err
		}
		if info.IsDir() {
			return downloaded{Archive: Archive{Path: req.Path, Filename: filepath.Base(req.Path), Kind: "tree"}}, nil
		}
		sum, size, err := hashFile(req.Path)
		if err != nil {
			return downloaded{}, err
		}
		a := Archive{Path: req.Path, Filename: filepath.Base(req.Path), SHA256: sum, Kind: kindOf(req.Path)}
		return downloaded{Archive: a, Files: []report.File{{Filename: a.Filename, Kind: a.Kind, SHA256: sum, Size: size, Chosen: true}}}, nil
	}
	path, err := j.opts.Client.Download(ctx, *rel.Chosen)
	if err != nil {
		return downloaded{}, fmt.Errorf("downloading %s: %w", rel.Chosen.Filename, err)
	}
	sum, _, err := hashFile(path)
	if err != nil {
		return downloaded{}, err
	}
	return downloaded{Archive: Archive{Path: path, Filename: rel.Chosen.Filename, SHA256: sum, Kind: kindOf(rel.Chosen.Filename)}}, nil
}

func kindOf(name string) string {
	if strings.HasSuffix(strings.ToLower(name), ".whl") {
		return "wheel"
	}
	return "sdist"
}

// hashFile is the sha256 and size of a file of PYTI's own (for one the sandbox could have
// written, see hashNoLinks).
func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	return hashReader(f)
}

// hashReader is the sha256 and length of what r holds: the one way PYTI's tasks hash a file.
func hashReader(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
