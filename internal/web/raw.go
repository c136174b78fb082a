package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

// serveBlob sends stored raw data: text as text/plain; charset=utf-8, anything else as an
// attachment, never with a type a browser would render.
func (s *server) serveBlob(w http.ResponseWriter, r *http.Request, sum, name string) {
	rc, b, err := s.st.OpenBlob(r.Context(), sum)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	if b.Text {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		if name != "" {
			if cd := mime.FormatMediaType("inline", map[string]string{"filename": name}); cd != "" {
				h.Set("Content-Disposition", cd)
			}
		}
	} else {
		h.Set("Content-Type", "application/octet-stream")
		if name == "" {
			name = sum + ".bin"
		}
		cd := mime.FormatMediaType("attachment", map[string]string{"filename": name})
		if cd == "" {
			cd = "attachment"
		}
		h.Set("Content-Disposition", cd)
	}
	h.Set("Content-Length", strconv.FormatInt(b.Size, 10))
	h.Set("ETag", `"`+sum+`"`)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	if r.Header.Get("If-None-Match") == `"`+sum+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if _, err := io.Copy(w, rc); err != nil {
		s.log.Debug("sending a blob", "sha256", sum, "err", err)
	}
}

func (s *server) blobDownload(w http.ResponseWriter, r *http.Request) {
	s.serveBlob(w, r, r.PathValue("sha"), "")
}

// artifactName is the download name of an artifact: the base of its path, valid UTF-8.
func artifactName(a report.Artifact) string {
	name := path.Base(strings.ReplaceAll(a.Path, `\`, "/"))
	if name == "." || name == "/" || !utf8.ValidString(name) {
		return ""
	}
	return name
}

func (s *server) artifactDownload(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 {
		s.errorPage(w, r, badRequest("%q is not an artifact number", r.PathValue("n")))
		return
	}
	sr, err := s.st.Report(r.Context(), id)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	if n >= len(sr.Report.Artifacts) || sr.Report.Artifacts[n].SHA256 == "" {
		s.errorPage(w, r, fmt.Errorf("artifact %d of report %d: %w", n, id, store.ErrNotFound))
		return
	}
	a := sr.Report.Artifacts[n]
	s.serveBlob(w, r, a.SHA256, artifactName(a))
}

// badge is one status badge.
type badge struct {
	Label, Value        string
	Color               string
	Width, LabelW, ValW int
}

var badgeTemplate = template.Must(template.New("badge").Parse(`<svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="20" role="img" aria-label="{{.Label}}: {{.Value}}">` +
	`<title>{{.Label}}: {{.Value}}</title>` +
	`<rect width="{{.LabelW}}" height="20" fill="#555"/>` +
	`<rect x="{{.LabelW}}" width="{{.ValW}}" height="20" fill="{{.Color}}"/>` +
	`<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">` +
	`<text x="6" y="14">{{.Label}}</text><text x="{{.LabelW}}" dx="6" y="14">{{.Value}}</text></g></svg>`))

// badgeColors are the value colours by verdict class.
var badgeColors = map[string]string{"good": "#2e7d32", "warn": "#b26a00", "bad": "#c62828", "grey": "#6e6e6e"}

func textWidth(s string) int { return 7*utf8.RuneCountInString(s) + 12 }

func (s *server) writeBadge(w http.ResponseWriter, status int, label, value, tone string) {
	if len(label) > 60 {
		label = label[:60]
	}
	b := badge{Label: label, Value: value, Color: badgeColors[tone]}
	b.LabelW, b.ValW = textWidth(label), textWidth(value)
	b.Width = b.LabelW + b.ValW
	var buf bytes.Buffer
	if err := badgeTemplate.Execute(&buf, b); err != nil {
		s.log.Error("rendering a badge", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *server) projectBadge(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
	if !ok || name == "" {
		s.notFound(w, r)
		return
	}
	p, err := s.st.Project(r.Context(), name)
	if err != nil {
		if statusOf(err) == http.StatusNotFound {
			s.writeBadge(w, http.StatusNotFound, "pyti", "not analysed", "grey")
			return
		}
		s.errorPage(w, r, err)
		return
	}
	s.writeBadge(w, http.StatusOK, "pyti "+p.Latest.Version, string(p.Latest.Verdict), verdictTone(p.Latest.Verdict))
}

func (s *server) releaseBadge(w http.ResponseWriter, r *http.Request) {
	version, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
	if !ok || version == "" {
		s.notFound(w, r)
		return
	}
	p, err := s.st.Reports(r.Context(), store.ReportQuery{Project: r.PathValue("project"), Version: version, Limit: 1})
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	if len(p.Reports) == 0 {
		s.writeBadge(w, http.StatusNotFound, "pyti", "not analysed", "grey")
		return
	}
	s.writeBadge(w, http.StatusOK, "pyti "+version, string(p.Reports[0].Verdict), verdictTone(p.Reports[0].Verdict))
}

// verdictTone sorts verdicts into good, warn, bad and grey.
func verdictTone(v report.Verdict) string {
	switch v {
	case report.VerdictPassed:
		return "good"
	case report.VerdictNoTests, report.VerdictTestsFailed, report.VerdictTestDeps, report.VerdictTestsNetwork,
		report.VerdictTestData, report.VerdictTestCollection, report.VerdictImportFailed, report.VerdictNothingToImport, report.VerdictTimeout,
		report.VerdictOOM, report.VerdictPids, report.VerdictNoSpace, report.VerdictLimits:
		return "warn"
	case report.VerdictHarmful, report.VerdictUnsafe, report.VerdictMalformed, report.VerdictBuild,
		report.VerdictInstall, report.VerdictFetch, report.VerdictNotFound:
		return "bad"
	default:
		return "grey"
	}
}
