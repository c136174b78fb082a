package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"syscall"
)

// Extract checks the archive at archivePath completely, then unpacks it into
// dest, which must not exist (its parent must) or be an empty directory:
// one fresh directory per archive. All writes go through an os.Root opened
// on dest; files are created exclusively with mode 0644 or 0755,
// directories with 0755. Members that are data but not host paths
// (non-UTF-8, control or bidi characters), duplicates and the root entry
// are listed in the inventory and not extracted.
//
// A refusal is returned as an *Error (see Refusal); on any error nothing
// is left in dest, and dest itself is removed if Extract created it.
func Extract(ctx context.Context, archivePath, dest string, lim Limits) (*Inventory, error) {
	lim = lim.withDefaults()
	src, format, err := openSource(archivePath)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	created, err := prepareDest(dest)
	if err != nil {
		return nil, err
	}
	inv, err := extractInto(ctx, src, format, dest, lim)
	if err != nil {
		if cerr := clearDest(dest, created); cerr != nil {
			return nil, errors.Join(err, cerr)
		}
		return nil, err
	}
	return inv, nil
}

func extractInto(ctx context.Context, src *source, format Format, dest string, lim Limits) (*Inventory, error) {
	sum, err := hashFile(src)
	if err != nil {
		return nil, err
	}
	pl, err := scan(ctx, src, format, lim)
	if err != nil {
		return nil, err
	}
	pl.inv.ArchiveSHA256 = sum
	root, err := os.OpenRoot(dest)
	if err != nil {
		return nil, fmt.Errorf("opening extraction directory: %w", err)
	}
	defer root.Close()
	if err := writePlan(ctx, src, format, lim, pl, root); err != nil {
		return nil, err
	}
	return pl.inv, nil
}

func hashFile(src *source) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(src, 0, src.size)); err != nil {
		return "", fmt.Errorf("reading archive: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// prepareDest creates dest, or accepts it when it is an empty directory (not
// a symlink). It reports whether it created dest.
func prepareDest(dest string) (bool, error) {
	fi, err := os.Lstat(dest)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(dest, 0o755); err != nil {
			return false, fmt.Errorf("creating extraction directory: %w", err)
		}
		return true, nil
	case err != nil:
		return false, fmt.Errorf("checking extraction directory: %w", err)
	case !fi.IsDir():
		return false, fmt.Errorf("extraction directory %s exists and is not a directory", dest)
	}
	d, err := os.Open(dest)
	if err != nil {
		return false, fmt.Errorf("checking extraction directory: %w", err)
	}
	defer d.Close()
	names, err := d.Readdirnames(1)
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("checking extraction directory: %w", err)
	}
	if len(names) > 0 {
		return false, fmt.Errorf("extraction directory %s is not empty: every archive needs a fresh directory", dest)
	}
	return false, nil
}

// clearDest removes everything extraction wrote, and dest if it was created.
func clearDest(dest string, created bool) error {
	if created {
		if err := os.RemoveAll(dest); err != nil {
			return fmt.Errorf("cleaning extraction directory: %w", err)
		}
		return nil
	}
	root, err := os.OpenRoot(dest)
	if err != nil {
		return fmt.Errorf("cleaning extraction directory: %w", err)
	}
	defer root.Close()
	d, err := root.Open(".")
	if err != nil {
		return fmt.Errorf("cleaning extraction directory: %w", err)
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return fmt.Errorf("cleaning extraction directory: %w", err)
	}
	var errs []error
	for _, n := range names {
		if err := root.RemoveAll(n); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("cleaning extraction directory: %w", errors.Join(errs...))
	}
	return nil
}

// writePlan reads the archive a second time and writes what the plan says.
// Every member must be the one the first pass saw.
func writePlan(ctx context.Context, src *source, format Format, lim Limits, pl *plan, root *os.Root) error {
	w := &treeWriter{root: root, made: map[string]bool{}}
	inv := pl.inv
	i := 0
	err := walk(ctx, src, format.Container, lim, func(m *member, body bodyReader) error {
		if i >= len(pl.items) || inv.Entries[i].Name != m.name || pl.items[i].typ != m.typ {
			return malformedErr(m.name, "archive changed during extraction")
		}
		it, e := pl.items[i], &inv.Entries[i]
		i++
		if !it.extract {
			return nil
		}
		if err := w.write(it, e, body); err != nil {
			return err
		}
		e.Extracted = true
		if it.typ == TypeFile || it.typ == TypeHardlink {
			inv.ExtractedFiles++
			inv.ExtractedBytes += e.Size
		}
		return nil
	})
	if err != nil {
		return err
	}
	if i != len(pl.items) {
		return malformedErr("", "archive changed during extraction")
	}
	return nil
}

// treeWriter writes inside one os.Root only.
type treeWriter struct {
	root *os.Root
	made map[string]bool
}

func (w *treeWriter) write(it planItem, e *Entry, body io.Reader) error {
	if it.typ == TypeDir {
		return w.mkdirs(it.path)
	}
	if dir := path.Dir(it.path); dir != "." {
		if err := w.mkdirs(dir); err != nil {
			return err
		}
	}
	switch it.typ {
	case TypeSymlink:
		if err := w.root.Symlink(it.target, it.path); err != nil {
			return fmt.Errorf("extracting %q: %w", it.path, err)
		}
		return nil
	case TypeHardlink:
		in, err := w.root.OpenFile(it.src, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
		if err != nil {
			return fmt.Errorf("extracting hard link %q: %w", it.path, err)
		}
		defer in.Close()
		body = in
	}
	sum, n, err := w.writeFile(it.path, it.perm, body)
	if err != nil {
		return err
	}
	if sum != e.SHA256 || n != e.Size {
		return malformedErr(e.Name, "archive changed during extraction")
	}
	return nil
}

func (w *treeWriter) writeFile(p string, perm fs.FileMode, body io.Reader) (string, int64, error) {
	f, err := w.root.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, perm)
	if err != nil {
		return "", 0, fmt.Errorf("extracting %q: %w", p, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(hostWriter{f}, h), body)
	if err == nil {
		err = f.Chmod(perm)
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("extracting %q: %w", p, cerr)
	}
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// hostWriter marks write errors as host errors, not archive refusals.
type hostWriter struct{ f *os.File }

func (h hostWriter) Write(p []byte) (int, error) {
	n, err := h.f.Write(p)
	if err != nil {
		err = fmt.Errorf("writing %s: %w", h.f.Name(), err)
	}
	return n, err
}

// mkdirs creates p and its parents inside the root, one level at a time,
// with mode 0755, refusing anything in the way that is not a directory.
func (w *treeWriter) mkdirs(p string) error {
	for k := 0; k <= len(p); k++ {
		if k < len(p) && p[k] != '/' {
			continue
		}
		d := p[:k]
		if w.made[d] {
			continue
		}
		if err := w.root.Mkdir(d, 0o755); err != nil {
			if !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("creating directory %q: %w", d, err)
			}
			fi, err := w.root.Lstat(d)
			if err != nil {
				return fmt.Errorf("creating directory %q: %w", d, err)
			}
			if !fi.IsDir() {
				return unsafeErr(d, "path exists and is not a directory")
			}
		}
		if err := w.root.Chmod(d, 0o755); err != nil {
			return fmt.Errorf("creating directory %q: %w", d, err)
		}
		w.made[d] = true
	}
	return nil
}
