package localindex

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// uploadTimeLayout is PEP 700's ISO 8601 form, in UTC with microseconds.
const uploadTimeLayout = "2006-01-02T15:04:05.000000Z"

type jsonMeta struct {
	APIVersion string `json:"api-version"`
	LastSerial int    `json:"_last-serial"`
}

type jsonProjectList struct {
	Meta     jsonMeta         `json:"meta"`
	Projects []jsonProjectRef `json:"projects"`
}

type jsonProjectRef struct {
	Name string `json:"name"`
}

type jsonProject struct {
	Meta     jsonMeta   `json:"meta"`
	Name     string     `json:"name"`
	Versions []string   `json:"versions"`
	Files    []jsonFile `json:"files"`
}

type jsonFile struct {
	Filename       string            `json:"filename"`
	URL            string            `json:"url"`
	Hashes         map[string]string `json:"hashes"`
	RequiresPython string            `json:"requires-python,omitempty"`
	// CoreMetadata is false or {"sha256": ...} (PEP 658, renamed by PEP
	// 714). As PEP 714 asks and PyPI does, the old "dist-info-metadata" key
	// is not emitted in JSON: pip 22.3 to 23.1 crash on its dict value.
	CoreMetadata any    `json:"core-metadata"`
	Yanked       any    `json:"yanked"` // false, true, or the reason
	Size         int64  `json:"size"`
	UploadTime   string `json:"upload-time"`
}

// fileView is one file of a project page, shared by the JSON and HTML forms.
type fileView struct {
	Filename       string
	URL            string // relative to the project page, with #sha256=
	SHA256         string
	RequiresPython string
	MetadataSHA256 string
	Yanked         bool
	YankReason     string
	Size           int64
	UploadTime     time.Time
}

type projectView struct {
	Serial   int
	Name     string // normalised
	Versions []string
	Files    []fileView
}

func (ix *Index) projectView(norm string) (projectView, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	dists, ok := ix.projects[norm]
	if !ok {
		return projectView{}, false
	}
	v := projectView{Serial: ix.serial, Name: norm}
	seen := map[string]bool{}
	for _, d := range dists {
		if !seen[d.Version] {
			seen[d.Version] = true
			v.Versions = append(v.Versions, d.Version)
		}
		reason, yanked := ix.yanked[d.Filename]
		v.Files = append(v.Files, fileView{
			Filename:       d.Filename,
			URL:            "../../files/" + url.PathEscape(d.Filename),
			SHA256:         d.SHA256,
			RequiresPython: d.RequiresPython,
			MetadataSHA256: d.MetadataSHA256,
			Yanked:         yanked,
			YankReason:     reason,
			Size:           d.Size,
			UploadTime:     d.UploadTime,
		})
	}
	sort.Strings(v.Versions)
	return v, true
}

// chooseType negotiates the content type, answering 406 itself when nothing
// acceptable is served. A ?format= query overrides the Accept header, as on
// PyPI.
func chooseType(w http.ResponseWriter, r *http.Request) (string, bool) {
	accept := r.Header.Get("Accept")
	if f := r.URL.Query().Get("format"); f != "" {
		accept = f
	}
	w.Header().Add("Vary", "Accept")
	ct, ok := negotiate(accept)
	if !ok {
		http.Error(w, "not acceptable: this index serves "+ContentTypeJSON+", "+ContentTypeHTMLv1+" and "+ContentTypeHTML, http.StatusNotAcceptable)
		return "", false
	}
	return ct, true
}

func (ix *Index) serveList(w http.ResponseWriter, r *http.Request) {
	ct, ok := chooseType(w, r)
	if !ok {
		return
	}
	ix.mu.RLock()
	serial := ix.serial
	type entry struct{ Norm, Name string }
	var projects []entry
	for norm, name := range ix.display {
		projects = append(projects, entry{norm, name})
	}
	ix.mu.RUnlock()
	sort.Slice(projects, func(i, j int) bool { return projects[i].Norm < projects[j].Norm })

	if ct == ContentTypeJSON {
		out := jsonProjectList{Meta: jsonMeta{APIVersion: apiVersion, LastSerial: serial}, Projects: []jsonProjectRef{}}
		for _, p := range projects {
			out.Projects = append(out.Projects, jsonProjectRef{Name: p.Name})
		}
		writeJSON(w, r, out)
		return
	}
	type link struct{ Href, Name string }
	data := struct {
		APIVersion string
		Links      []link
	}{APIVersion: apiVersion}
	for _, p := range projects {
		data.Links = append(data.Links, link{Href: url.PathEscape(p.Norm) + "/", Name: p.Name})
	}
	writeHTML(w, r, ct, listTemplate, data)
}

func (ix *Index) serveProject(w http.ResponseWriter, r *http.Request, norm string) {
	v, found := ix.projectView(norm)
	if !found {
		http.NotFound(w, r)
		return
	}
	ct, ok := chooseType(w, r)
	if !ok {
		return
	}
	if ct == ContentTypeJSON {
		out := jsonProject{
			Meta:     jsonMeta{APIVersion: apiVersion, LastSerial: v.Serial},
			Name:     v.Name,
			Versions: v.Versions,
			Files:    []jsonFile{},
		}
		for _, f := range v.Files {
			jf := jsonFile{
				Filename:       f.Filename,
				URL:            f.URL,
				Hashes:         map[string]string{"sha256": f.SHA256},
				RequiresPython: f.RequiresPython,
				CoreMetadata:   false,
				Yanked:         false,
				Size:           f.Size,
				UploadTime:     f.UploadTime.UTC().Format(uploadTimeLayout),
			}
			if f.MetadataSHA256 != "" {
				jf.CoreMetadata = map[string]string{"sha256": f.MetadataSHA256}
			}
			if f.Yanked {
				jf.Yanked = true
				if f.YankReason != "" {
					jf.Yanked = f.YankReason
				}
			}
			out.Files = append(out.Files, jf)
		}
		writeJSON(w, r, out)
		return
	}
	data := struct {
		APIVersion string
		Name       string
		Files      []fileView
	}{apiVersion, v.Name, v.Files}
	writeHTML(w, r, ct, projectTemplate, data)
}

func writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	// Like PyPI, write ">=3.8" rather than "\u003e=3.8".
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ContentTypeJSON)
	writeBody(w, r, buf.Bytes())
}

func writeHTML(w http.ResponseWriter, r *http.Request, ct string, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		http.Error(w, "render: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if ct == ContentTypeHTML {
		ct += "; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	writeBody(w, r, buf.Bytes())
}

func writeBody(w http.ResponseWriter, r *http.Request, b []byte) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "max-age=0, must-revalidate")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}

var listTemplate = template.Must(template.New("list").Parse(strings.TrimLeft(`
<!DOCTYPE html>
<html>
  <head>
    <meta name="pypi:repository-version" content="{{.APIVersion}}">
    <title>Simple index</title>
  </head>
  <body>
{{- range .Links}}
    <a href="{{.Href}}">{{.Name}}</a><br/>
{{- end}}
  </body>
</html>
`, "\n")))

var projectTemplate = template.Must(template.New("project").Parse(strings.TrimLeft(`
<!DOCTYPE html>
<html>
  <head>
    <meta name="pypi:repository-version" content="{{.APIVersion}}">
    <title>Links for {{.Name}}</title>
  </head>
  <body>
    <h1>Links for {{.Name}}</h1>
{{- range .Files}}
    <a href="{{.URL}}#sha256={{.SHA256}}"
       {{- if .RequiresPython}} data-requires-python="{{.RequiresPython}}"{{end}}
       {{- if .MetadataSHA256}} data-dist-info-metadata="sha256={{.MetadataSHA256}}" data-core-metadata="sha256={{.MetadataSHA256}}"{{end}}
       {{- if .Yanked}} data-yanked="{{.YankReason}}"{{end}}>{{.Filename}}</a><br/>
{{- end}}
  </body>
</html>
`, "\n")))
