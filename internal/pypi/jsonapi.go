package pypi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/pep440"
)

// ProjectInfo is PyPI's JSON API answer for a project or a release
// (/pypi/<name>/json, /pypi/<name>/<version>/json).
type ProjectInfo struct {
	Info            JSONInfo              `json:"info"`
	LastSerial      int64                 `json:"last_serial"`
	URLs            []JSONFile            `json:"urls"`
	Releases        map[string][]JSONFile `json:"releases,omitempty"`
	Vulnerabilities []Vulnerability       `json:"vulnerabilities"`
}

// JSONInfo is the "info" object: the core metadata of the release.
type JSONInfo struct {
	Name                   string            `json:"name"`
	Version                string            `json:"version"`
	Summary                string            `json:"summary"`
	Description            string            `json:"description"`
	DescriptionContentType string            `json:"description_content_type"`
	License                string            `json:"license"`
	LicenseExpression      string            `json:"license_expression"`
	LicenseFiles           []string          `json:"license_files"`
	Author                 string            `json:"author"`
	AuthorEmail            string            `json:"author_email"`
	Maintainer             string            `json:"maintainer"`
	MaintainerEmail        string            `json:"maintainer_email"`
	HomePage               string            `json:"home_page"`
	ProjectURL             string            `json:"project_url"`
	ProjectURLs            map[string]string `json:"project_urls"`
	Keywords               string            `json:"keywords"`
	Classifiers            []string          `json:"classifiers"`
	RequiresDist           []string          `json:"requires_dist"`
	RequiresPython         string            `json:"requires_python"`
	ProvidesExtra          []string          `json:"provides_extra"`
	Dynamic                []string          `json:"dynamic"`
	Yanked                 bool              `json:"yanked"`
	YankedReason           string            `json:"yanked_reason"`
}

// JSONFile is one file in "urls" or "releases".
type JSONFile struct {
	Filename       string            `json:"filename"`
	URL            string            `json:"url"`
	Digests        map[string]string `json:"digests"`
	PackageType    string            `json:"packagetype"`
	PythonVersion  string            `json:"python_version"`
	RequiresPython string            `json:"requires_python"`
	Size           int64             `json:"size"`
	UploadTime     time.Time         `json:"upload_time_iso_8601"`
	Yanked         bool              `json:"yanked"`
	YankedReason   string            `json:"yanked_reason"`
	// CoreMetadata is true when a PEP 658 file exists; its hashes if given.
	CoreMetadata       bool              `json:"core_metadata"`
	CoreMetadataHashes map[string]string `json:"core_metadata_hashes,omitempty"`
}

// Vulnerability is one entry of "vulnerabilities" (from OSV).
type Vulnerability struct {
	ID        string    `json:"id"`
	Aliases   []string  `json:"aliases"`
	Link      string    `json:"link"`
	Source    string    `json:"source"`
	Summary   string    `json:"summary"`
	Details   string    `json:"details"`
	FixedIn   []string  `json:"fixed_in"`
	Withdrawn time.Time `json:"withdrawn,omitzero"`
}

// raw shapes, tolerant of the documentation's "..." placeholders and nulls.
type rawProjectInfo struct {
	Info            rawInfo                      `json:"info"`
	LastSerial      int64                        `json:"last_serial"`
	URLs            []json.RawMessage            `json:"urls"`
	Releases        map[string][]json.RawMessage `json:"releases"`
	Vulnerabilities []json.RawMessage            `json:"vulnerabilities"`
}

type rawInfo struct {
	Name                   *string           `json:"name"`
	Version                *string           `json:"version"`
	Summary                *string           `json:"summary"`
	Description            *string           `json:"description"`
	DescriptionContentType *string           `json:"description_content_type"`
	License                *string           `json:"license"`
	LicenseExpression      *string           `json:"license_expression"`
	LicenseFiles           []string          `json:"license_files"`
	Author                 *string           `json:"author"`
	AuthorEmail            *string           `json:"author_email"`
	Maintainer             *string           `json:"maintainer"`
	MaintainerEmail        *string           `json:"maintainer_email"`
	HomePage               *string           `json:"home_page"`
	ProjectURL             *string           `json:"project_url"`
	ProjectURLs            map[string]string `json:"project_urls"`
	Keywords               *string           `json:"keywords"`
	Classifiers            []string          `json:"classifiers"`
	RequiresDist           []string          `json:"requires_dist"`
	RequiresPython         *string           `json:"requires_python"`
	ProvidesExtra          []string          `json:"provides_extra"`
	Dynamic                []string          `json:"dynamic"`
	Yanked                 bool              `json:"yanked"`
	YankedReason           *string           `json:"yanked_reason"`
}

type rawJSONFile struct {
	Filename       string            `json:"filename"`
	URL            string            `json:"url"`
	Digests        map[string]string `json:"digests"`
	PackageType    string            `json:"packagetype"`
	PythonVersion  string            `json:"python_version"`
	RequiresPython *string           `json:"requires_python"`
	Size           int64             `json:"size"`
	UploadTime     string            `json:"upload_time_iso_8601"`
	Yanked         bool              `json:"yanked"`
	YankedReason   *string           `json:"yanked_reason"`
	CoreMetadata   json.RawMessage   `json:"core-metadata"`
	DistInfo       json.RawMessage   `json:"data-dist-info-metadata"`
}

type rawVuln struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	Link      string   `json:"link"`
	Source    string   `json:"source"`
	Summary   *string  `json:"summary"`
	Details   *string  `json:"details"`
	FixedIn   []string `json:"fixed_in"`
	Withdrawn *string  `json:"withdrawn"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func isObject(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '{'
}

// parseProjectInfo decodes a JSON API document; entries that are not
// objects (the docs' "..." placeholders) are skipped.
func parseProjectInfo(body []byte) (*ProjectInfo, error) {
	var raw rawProjectInfo
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("%w: JSON API: %v", ErrBadResponse, err)
	}
	ri := raw.Info
	out := &ProjectInfo{
		Info: JSONInfo{
			Name: str(ri.Name), Version: str(ri.Version), Summary: str(ri.Summary),
			Description: str(ri.Description), DescriptionContentType: str(ri.DescriptionContentType),
			License: str(ri.License), LicenseExpression: str(ri.LicenseExpression), LicenseFiles: ri.LicenseFiles,
			Author: str(ri.Author), AuthorEmail: str(ri.AuthorEmail),
			Maintainer: str(ri.Maintainer), MaintainerEmail: str(ri.MaintainerEmail),
			HomePage: str(ri.HomePage), ProjectURL: str(ri.ProjectURL), ProjectURLs: ri.ProjectURLs,
			Keywords: str(ri.Keywords), Classifiers: ri.Classifiers, RequiresDist: ri.RequiresDist,
			RequiresPython: str(ri.RequiresPython), ProvidesExtra: ri.ProvidesExtra, Dynamic: ri.Dynamic,
			Yanked: ri.Yanked, YankedReason: str(ri.YankedReason),
		},
		LastSerial:      raw.LastSerial,
		URLs:            []JSONFile{},
		Vulnerabilities: []Vulnerability{},
	}
	out.URLs = parseJSONFiles(raw.URLs)
	if raw.Releases != nil {
		out.Releases = map[string][]JSONFile{}
		for v, files := range raw.Releases {
			out.Releases[v] = parseJSONFiles(files)
		}
	}
	for _, rv := range raw.Vulnerabilities {
		if !isObject(rv) {
			continue
		}
		var v rawVuln
		if json.Unmarshal(rv, &v) != nil {
			continue
		}
		vu := Vulnerability{ID: v.ID, Aliases: v.Aliases, Link: v.Link, Source: v.Source,
			Summary: str(v.Summary), Details: str(v.Details), FixedIn: v.FixedIn}
		if v.Withdrawn != nil {
			if t, err := time.Parse(time.RFC3339Nano, *v.Withdrawn); err == nil {
				vu.Withdrawn = t.UTC()
			}
		}
		out.Vulnerabilities = append(out.Vulnerabilities, vu)
	}
	return out, nil
}

func parseJSONFiles(raws []json.RawMessage) []JSONFile {
	out := []JSONFile{}
	for _, r := range raws {
		if !isObject(r) {
			continue
		}
		var f rawJSONFile
		if json.Unmarshal(r, &f) != nil {
			continue
		}
		jf := JSONFile{Filename: f.Filename, URL: f.URL, Digests: lowerKeys(f.Digests), PackageType: f.PackageType,
			PythonVersion: f.PythonVersion, RequiresPython: str(f.RequiresPython), Size: f.Size,
			Yanked: f.Yanked, YankedReason: str(f.YankedReason)}
		if t, err := time.Parse(time.RFC3339Nano, f.UploadTime); err == nil {
			jf.UploadTime = t.UTC()
		}
		md := f.CoreMetadata
		if len(md) == 0 || string(md) == "null" {
			md = f.DistInfo
		}
		jf.CoreMetadata, jf.CoreMetadataHashes = parseJSONMetadata(md)
		out = append(out, jf)
	}
	return out
}

// ProjectJSON fetches /pypi/<name>/json from the JSON API. It is
// ErrNoJSONAPI when the client has no JSON API URL or the server does not
// answer with JSON, ErrNoSuchProject on 404.
func (c *Client) ProjectJSON(ctx context.Context, name string) (*ProjectInfo, error) {
	return c.jsonAPIGet(ctx, name, "")
}

// ReleaseJSON fetches /pypi/<name>/<version>/json (no "releases" key).
func (c *Client) ReleaseJSON(ctx context.Context, name, version string) (*ProjectInfo, error) {
	if version == "" || strings.ContainsAny(version, "/?#") {
		return nil, fmt.Errorf("pypi: bad version %q", version)
	}
	return c.jsonAPIGet(ctx, name, version)
}

func (c *Client) jsonAPIGet(ctx context.Context, name, version string) (*ProjectInfo, error) {
	if c.jsonAPI == nil {
		return nil, fmt.Errorf("%w: %s (set a JSON API URL to use one)", ErrNoJSONAPI, Redact(c.index.String()))
	}
	norm := pep440.NormalizeName(name)
	if !validNormalizedName(norm) {
		return nil, fmt.Errorf("pypi: %q is not a valid project name", name)
	}
	p := norm + "/json"
	if version != "" {
		p = norm + "/" + url.PathEscape(version) + "/json"
	}
	u := c.jsonAPI.ResolveReference(&url.URL{Path: p})
	h := http.Header{}
	h.Set("Accept", "application/json")
	resp, err := c.get(ctx, u.String(), h, c.opts.MaxPageBytes, http.StatusOK, http.StatusNotFound)
	if err != nil {
		return nil, fmt.Errorf("pypi: JSON API for %s: %w", name, err)
	}
	if resp.status == http.StatusNotFound {
		if version != "" {
			return nil, fmt.Errorf("%w: %s %s (%s answered 404)", ErrNoSuchVersion, name, version, redactURL(u))
		}
		return nil, fmt.Errorf("%w: %s (%s answered 404)", ErrNoSuchProject, name, redactURL(u))
	}
	mt, _, _ := mime.ParseMediaType(resp.header.Get("Content-Type"))
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil, fmt.Errorf("%w: %s answered %q, not JSON", ErrNoJSONAPI, redactURL(u), mt)
	}
	return parseProjectInfo(resp.body)
}
