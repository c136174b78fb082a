package localindex

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Index serves a directory of distributions as a Simple Repository API. It
// is an http.Handler with these routes:
//
//	/simple/                     project list (PEP 503 HTML or PEP 691 JSON)
//	/simple/<normalised-name>/   project page; other spellings redirect here
//	/files/<filename>            the distribution file
//	/files/<filename>.metadata   a wheel's METADATA (PEP 658)
//
// Project pages link to files relatively ("../../files/..."), so the handler
// also works mounted under a path prefix.
type Index struct {
	dir string

	scanMu sync.Mutex // one Rescan at a time
	// unreadable are the files a lenient rescan could not read, with their size and modification
	// time then: they are read again only once they change.
	unreadable map[string]stamp

	mu       sync.RWMutex
	dists    map[string]*Dist   // by file name
	projects map[string][]*Dist // by normalised name, sorted by file name
	display  map[string]string  // normalised name -> name as first written
	yanked   map[string]string  // file name -> reason
	serial   int
}

// NewIndex scans dir (not recursively) for .whl and .tar.gz files.
func NewIndex(dir string) (*Index, error) {
	ix := &Index{dir: dir, yanked: map[string]string{}, unreadable: map[string]stamp{}}
	if err := ix.Rescan(); err != nil {
		return nil, err
	}
	return ix, nil
}

// Rescan reads the directory again, picking up added, removed and replaced
// files: a file whose size and modification time are unchanged keeps its
// hash, and any other is read again. Yanks of files still present are kept.
// The index serial moves only when something changed. A file that cannot be
// read is an error.
func (ix *Index) Rescan() error { return ix.rescan(true) }

// rescan is Rescan; unless strict, a file that cannot be read is left out
// rather than an error.
func (ix *Index) rescan(strict bool) error {
	ix.scanMu.Lock()
	defer ix.scanMu.Unlock()
	entries, err := os.ReadDir(ix.dir)
	if err != nil {
		return fmt.Errorf("scan index directory: %w", err)
	}
	ix.mu.RLock()
	prev := ix.dists
	ix.mu.RUnlock()
	dists := map[string]*Dist{}
	projects := map[string][]*Dist{}
	display := map[string]string{}
	changed := false
	for _, ent := range entries {
		file := filepath.Join(ix.dir, ent.Name())
		if _, ok := distKind(ent.Name()); !ok || !servable(file, ent) {
			continue
		}
		if st, bad := ix.unreadable[ent.Name()]; bad && !strict && st == stampOf(file) {
			continue
		}
		d, fresh, err := ix.readDist(file, prev[ent.Name()])
		switch {
		case err != nil && strict:
			return fmt.Errorf("scan index directory: %w", err)
		case err != nil:
			ix.unreadable[ent.Name()] = stampOf(file)
			changed = changed || prev[ent.Name()] != nil
			continue
		}
		delete(ix.unreadable, ent.Name())
		changed = changed || fresh
		norm := NormalizeName(d.Name)
		dists[d.Filename] = d
		projects[norm] = append(projects[norm], d)
		if _, ok := display[norm]; !ok {
			display[norm] = d.Name
		}
	}
	changed = changed || len(dists) != len(prev)
	for _, files := range projects {
		sort.Slice(files, func(i, j int) bool { return files[i].Filename < files[j].Filename })
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.dists != nil && !changed {
		return nil
	}
	ix.dists, ix.projects, ix.display = dists, projects, display
	for f := range ix.yanked {
		if _, ok := dists[f]; !ok {
			delete(ix.yanked, f)
		}
	}
	ix.serial++
	return nil
}

// readDist returns the distribution in file: old when the file still has
// old's size and modification time, else read afresh (fresh is then true).
func (ix *Index) readDist(file string, old *Dist) (d *Dist, fresh bool, err error) {
	if old != nil {
		if fi, err := os.Stat(file); err == nil && fi.Size() == old.Size && fi.ModTime().Equal(old.UploadTime) {
			return old, false, nil
		}
	}
	nd, err := ReadDist(file)
	if err != nil {
		return nil, false, err
	}
	return &nd, true, nil
}

// stamp is a file's size and modification time, which change when it is written.
type stamp struct {
	size  int64
	mtime int64 // Unix nanoseconds
}

// stampOf is file's stamp, or the zero stamp when it cannot be read.
func stampOf(file string) stamp {
	fi, err := os.Stat(file)
	if err != nil {
		return stamp{}
	}
	return stamp{fi.Size(), fi.ModTime().UnixNano()}
}

// refresh rescans the directory before a request is answered, so that files
// copied into it, replaced or removed while it is served are seen at once. A
// file that cannot be read (one still being copied, say) is left out until a
// later request finds it whole; a directory that cannot be read leaves the
// index as it was.
func (ix *Index) refresh() {
	_ = ix.rescan(false)
}

// servable says whether a directory entry is a file to serve: a regular file, or a symbolic link
// to one (an index made of links into a download cache or another index, as ln -s makes it).
func servable(path string, ent os.DirEntry) bool {
	if ent.Type().IsRegular() {
		return true
	}
	if ent.Type()&os.ModeSymlink == 0 {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// Yank marks a file as yanked (PEP 592) with an optional reason.
func (ix *Index) Yank(filename, reason string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if _, ok := ix.dists[filename]; !ok {
		return fmt.Errorf("yank %s: no such file in the index", filename)
	}
	ix.yanked[filename] = reason
	ix.serial++
	return nil
}

// Unyank clears a yank.
func (ix *Index) Unyank(filename string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	delete(ix.yanked, filename)
	ix.serial++
}

// Projects returns the normalised names of the projects served, sorted.
func (ix *Index) Projects() []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]string, 0, len(ix.projects))
	for n := range ix.projects {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ServeHTTP implements http.Handler.
func (ix *Index) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if strings.HasPrefix(p, "/simple/") || strings.HasPrefix(p, "/files/") {
		ix.refresh()
	}
	switch {
	case p == "/" || p == "/simple":
		redirect(w, r, "/simple/")
	case p == "/simple/":
		ix.serveList(w, r)
	case strings.HasPrefix(p, "/simple/"):
		ix.serveProjectPath(w, r, strings.TrimPrefix(p, "/simple/"))
	case strings.HasPrefix(p, "/files/"):
		ix.serveFile(w, r, strings.TrimPrefix(p, "/files/"))
	default:
		http.NotFound(w, r)
	}
}

func (ix *Index) serveProjectPath(w http.ResponseWriter, r *http.Request, rest string) {
	name, trailing := strings.CutSuffix(rest, "/")
	if name == "" || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	norm := NormalizeName(name)
	switch {
	case !trailing && norm == name:
		redirect(w, r, url.PathEscape(name)+"/")
		return
	case !trailing:
		redirect(w, r, url.PathEscape(norm)+"/")
		return
	case norm != name:
		redirect(w, r, "../"+url.PathEscape(norm)+"/")
		return
	}
	ix.serveProject(w, r, norm)
}

// redirect answers 301 with a Location relative to the request, keeping the
// query, so that redirects also work under a path prefix.
func redirect(w http.ResponseWriter, r *http.Request, loc string) {
	if strings.HasPrefix(loc, "/") && r.URL.Path != "" {
		// An absolute target only from the root routes.
		loc = strings.Repeat("../", strings.Count(strings.TrimPrefix(r.URL.Path, "/"), "/")) + strings.TrimPrefix(loc, "/")
		if loc == "" {
			loc = "./"
		}
	}
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusMovedPermanently)
}

func (ix *Index) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	if name == "" || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	ix.mu.RLock()
	d, ok := ix.dists[name]
	var meta *Dist
	if !ok {
		if base, isMeta := strings.CutSuffix(name, ".metadata"); isMeta {
			if md, found := ix.dists[base]; found && md.Metadata != nil {
				meta = md
			}
		}
	}
	ix.mu.RUnlock()
	w.Header().Set("X-Content-Type-Options", "nosniff")
	switch {
	case ok:
		f, err := os.Open(filepath.Join(ix.dir, d.Filename))
		if err != nil {
			http.Error(w, "file unavailable", http.StatusNotFound)
			return
		}
		defer f.Close()
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("ETag", `"`+d.SHA256+`"`)
		http.ServeContent(w, r, d.Filename, d.UploadTime, f)
	case meta != nil:
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("ETag", `"`+meta.MetadataSHA256+`"`)
		http.ServeContent(w, r, name, meta.UploadTime, strings.NewReader(string(meta.Metadata)))
	default:
		http.NotFound(w, r)
	}
}
