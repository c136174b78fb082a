package pypi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// jsonProjectPage is the PEP 691 (+ PEP 700) project detail document.
type jsonProjectPage struct {
	Meta struct {
		APIVersion string `json:"api-version"`
	} `json:"meta"`
	Name     string            `json:"name"`
	Files    []json.RawMessage `json:"files"`
	Versions []json.RawMessage `json:"versions"`
}

type jsonFile struct {
	Filename         string            `json:"filename"`
	URL              string            `json:"url"`
	Hashes           map[string]string `json:"hashes"`
	RequiresPython   *string           `json:"requires-python"`
	Yanked           json.RawMessage   `json:"yanked"`
	CoreMetadata     json.RawMessage   `json:"core-metadata"`
	DistInfoMetadata json.RawMessage   `json:"dist-info-metadata"`
	// PyPI (warehouse) also emits the HTML attribute's name in JSON.
	DataDistInfoMetadata json.RawMessage `json:"data-dist-info-metadata"`
	Size                 *int64          `json:"size"`
	UploadTime           *string         `json:"upload-time"`
}

// parseJSONPage parses a PEP 691 project page; base resolves relative URLs.
// Entries of "files" that are not objects are skipped, as are files
// without a filename or URL.
func parseJSONPage(body []byte, base *url.URL) (*ProjectPage, []string, error) {
	var doc jsonProjectPage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("%w: PEP 691 JSON: %v", ErrBadResponse, err)
	}
	if err := checkAPIVersion(doc.Meta.APIVersion); err != nil {
		return nil, nil, err
	}
	var notes []string
	page := &ProjectPage{Name: doc.Name, Format: "json", APIVersion: doc.Meta.APIVersion}
	for _, raw := range doc.Versions {
		var v string
		if json.Unmarshal(raw, &v) == nil {
			page.Versions = append(page.Versions, v)
		}
	}
	for i, raw := range doc.Files {
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
			notes = append(notes, fmt.Sprintf("files[%d] is not an object; skipped", i))
			continue
		}
		var jf jsonFile
		if err := json.Unmarshal(raw, &jf); err != nil {
			notes = append(notes, fmt.Sprintf("files[%d]: %v; skipped", i, err))
			continue
		}
		if jf.Filename == "" || jf.URL == "" {
			notes = append(notes, fmt.Sprintf("files[%d] has no filename or url; skipped", i))
			continue
		}
		f := File{Filename: jf.Filename, Size: -1}
		u, frag, err := resolveFileURL(base, jf.URL)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: %v; skipped", jf.Filename, err))
			continue
		}
		f.URL = u
		f.Hashes = lowerKeys(jf.Hashes)
		if f.Hashes == nil && frag != nil {
			f.Hashes = frag
		}
		if jf.RequiresPython != nil {
			f.RequiresPython = strings.TrimSpace(*jf.RequiresPython)
		}
		f.Yanked, f.YankedReason = parseJSONYanked(jf.Yanked)
		md := jf.CoreMetadata
		if len(md) == 0 || string(md) == "null" {
			md = jf.DistInfoMetadata
		}
		if len(md) == 0 || string(md) == "null" {
			md = jf.DataDistInfoMetadata
		}
		f.CoreMetadata, f.CoreMetadataHashes = parseJSONMetadata(md)
		if jf.Size != nil {
			f.Size = *jf.Size
		}
		if jf.UploadTime != nil && *jf.UploadTime != "" {
			t, err := time.Parse(time.RFC3339Nano, *jf.UploadTime)
			if err != nil {
				notes = append(notes, fmt.Sprintf("%s: bad upload-time %q", jf.Filename, *jf.UploadTime))
			} else {
				f.UploadTime = t.UTC()
			}
		}
		page.Files = append(page.Files, f)
	}
	return page, notes, nil
}

// checkAPIVersion fails on an unknown major version (PEP 629).
func checkAPIVersion(v string) error {
	if v == "" {
		return nil
	}
	major, _, _ := strings.Cut(v, ".")
	if major != "1" {
		return fmt.Errorf("%w: index speaks Simple API version %s; PYTI understands 1.x", ErrBadResponse, v)
	}
	return nil
}

// parseJSONYanked reads PEP 691's yanked: a boolean or a reason string.
func parseJSONYanked(raw json.RawMessage) (bool, string) {
	if len(raw) == 0 {
		return false, ""
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s != "", s
	}
	return false, ""
}

// parseJSONMetadata reads core-metadata: a boolean or a hashes object.
func parseJSONMetadata(raw json.RawMessage) (bool, map[string]string) {
	if len(raw) == 0 {
		return false, nil
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, nil
	}
	var m map[string]string
	if json.Unmarshal(raw, &m) == nil {
		return true, lowerKeys(m)
	}
	return false, nil
}

func lowerKeys(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = strings.ToLower(strings.TrimSpace(v))
	}
	return out
}

// resolveFileURL resolves ref against base and splits off a
// "#<hashname>=<hex>" fragment.
func resolveFileURL(base *url.URL, ref string) (string, map[string]string, error) {
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", nil, fmt.Errorf("bad URL: %v", err)
	}
	var abs *url.URL
	if base != nil {
		abs = base.ResolveReference(r)
	} else {
		abs = r
	}
	if abs.Scheme != "http" && abs.Scheme != "https" {
		return "", nil, fmt.Errorf("URL scheme %q is not http(s)", abs.Scheme)
	}
	var hashes map[string]string
	if name, val, ok := strings.Cut(abs.Fragment, "="); ok && name != "" && val != "" {
		hashes = map[string]string{strings.ToLower(name): strings.ToLower(val)}
	}
	abs.Fragment = ""
	abs.RawFragment = ""
	abs.User = nil
	return abs.String(), hashes, nil
}
