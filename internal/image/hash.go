package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
)

// HashPrefix starts every image hash.
const HashPrefix = "sha256:"

// Content summarises a tree: its content hash and what it holds.
type Content struct {
	Hash      string `json:"hash"`       // HashPrefix + hex
	Files     int64  `json:"files"`      // entries of any type, the root excluded
	Bytes     int64  `json:"bytes"`      // apparent size of the regular files
	DiskBytes int64  `json:"disk_bytes"` // blocks allocated (hard links counted once)
}

// entry is one walked path; sum is filled for regular files by the hashing workers.
type entry struct {
	rel  string
	line string // everything of the record but the content digest
	reg  bool
	sum  [sha256.Size]byte
	err  error
}

// HashTree returns the content hash of the tree at root: a sha256 over one record per path in
// lexical walk order, "path NUL type+mode NUL uid:gid NUL data NL", where data is the sha256 of a
// regular file's contents, a symlink's target, a device's number, or empty. Any change to a
// path, a mode, an owner, a link or a byte changes it. File contents are hashed in parallel.
func HashTree(ctx context.Context, root string) (Content, error) {
	var (
		c       Content
		entries []*entry
		inodes  = map[[2]uint64]bool{}
	)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == root {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return fmt.Errorf("%s: no stat data", p)
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		data := ""
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			if data, err = os.Readlink(p); err != nil {
				return err
			}
		case fi.Mode()&(fs.ModeDevice|fs.ModeCharDevice) != 0:
			data = strconv.FormatUint(uint64(st.Rdev), 10)
		}
		c.Files++
		if key := [2]uint64{uint64(st.Dev), st.Ino}; !inodes[key] {
			inodes[key] = true
			c.DiskBytes += st.Blocks * 512
		}
		e := &entry{
			rel:  rel,
			line: rel + "\x00" + strconv.FormatUint(uint64(st.Mode), 8) + "\x00" + strconv.FormatUint(uint64(st.Uid), 10) + ":" + strconv.FormatUint(uint64(st.Gid), 10) + "\x00" + data,
			reg:  fi.Mode().IsRegular(),
		}
		if e.reg {
			c.Bytes += fi.Size()
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return Content{}, fmt.Errorf("hashing %s: %w", root, err)
	}
	if err := hashFiles(ctx, root, entries); err != nil {
		return Content{}, err
	}
	h := sha256.New()
	for _, e := range entries {
		io.WriteString(h, e.line)
		if e.reg {
			io.WriteString(h, hex.EncodeToString(e.sum[:]))
		}
		io.WriteString(h, "\n")
	}
	c.Hash = HashPrefix + hex.EncodeToString(h.Sum(nil))
	return c, nil
}

// hashFiles fills the digest of every regular file, with one worker per CPU.
func hashFiles(ctx context.Context, root string, entries []*entry) error {
	work := make(chan *entry)
	var wg sync.WaitGroup
	for range max(runtime.NumCPU(), 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 256<<10)
			for e := range work {
				e.sum, e.err = hashFile(filepath.Join(root, e.rel), buf)
			}
		}()
	}
	for _, e := range entries {
		if !e.reg {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		work <- e
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("hashing %s: %w", root, err)
	}
	for _, e := range entries {
		if e.err != nil {
			return fmt.Errorf("hashing %s: %w", root, e.err)
		}
	}
	return nil
}

func hashFile(p string, buf []byte) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	f, err := os.Open(p)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, f, buf); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}
