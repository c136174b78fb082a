package pkgmeta

import (
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/pyti/pyti/internal/pep440"
)

// knownMetadataVersions are the core metadata versions an index accepts.
var knownMetadataVersions = map[string]bool{
	"1.0": true, "1.1": true, "1.2": true, "2.0": true, "2.1": true,
	"2.2": true, "2.3": true, "2.4": true,
}

// fieldSince gives, for fields introduced after 1.0, the metadata version
// that introduced them, as [major, minor].
var fieldSince = []struct {
	header string
	since  [2]int
	used   func(m *CoreMetadata) bool
}{
	{"Download-URL", [2]int{1, 1}, func(m *CoreMetadata) bool { return m.DownloadURL != "" }},
	{"Classifier", [2]int{1, 1}, func(m *CoreMetadata) bool { return len(m.Classifiers) > 0 }},
	{"Requires-Dist", [2]int{1, 2}, func(m *CoreMetadata) bool { return len(m.RequiresDist) > 0 }},
	{"Requires-Python", [2]int{1, 2}, func(m *CoreMetadata) bool { return m.RequiresPython != "" }},
	{"Project-URL", [2]int{1, 2}, func(m *CoreMetadata) bool { return len(m.ProjectURLs) > 0 }},
	{"Maintainer", [2]int{1, 2}, func(m *CoreMetadata) bool { return m.Maintainer != "" || m.MaintainerEmail != "" }},
	{"Description-Content-Type", [2]int{2, 1}, func(m *CoreMetadata) bool { return m.DescriptionContentType != "" }},
	{"Provides-Extra", [2]int{2, 1}, func(m *CoreMetadata) bool { return len(m.ProvidesExtra) > 0 }},
	{"Dynamic", [2]int{2, 2}, func(m *CoreMetadata) bool { return len(m.Dynamic) > 0 }},
	{"License-Expression", [2]int{2, 4}, func(m *CoreMetadata) bool { return m.LicenseExpression != "" }},
	{"License-File", [2]int{2, 4}, func(m *CoreMetadata) bool { return len(m.LicenseFiles) > 0 }},
}

// Validate reports what a package index (PyPI's upload checks) would find
// wrong with m, plus the problems found while reading it. filename is the
// distribution file the metadata came from; when not empty, the name and
// version it carries must match the metadata. The result is nil when
// nothing is wrong.
func Validate(m *CoreMetadata, filename string) []Problem {
	if m == nil {
		return []Problem{errorf("metadata", "no metadata")}
	}
	var ps []Problem
	ps = append(ps, m.Problems...)

	mv, mvOK := validateMetadataVersion(m, &ps)

	if m.Name == "" {
		ps = append(ps, errorf("Name", "missing"))
	} else if !pep440.ValidName(m.Name) {
		ps = append(ps, errorf("Name", "%q is not a valid project name (letters, digits, '.', '_' and '-', starting and ending with a letter or digit)", m.Name))
	}

	var version pep440.Version
	versionOK := false
	if m.Version == "" {
		ps = append(ps, errorf("Version", "missing"))
	} else if v, err := pep440.Parse(m.Version); err != nil {
		ps = append(ps, errorf("Version", "%q is not a valid PEP 440 version: %v", m.Version, err))
	} else {
		version, versionOK = v, true
		if strings.Contains(v.String(), "+") {
			ps = append(ps, warnf("Version", "%q has a local version label, which PyPI refuses", m.Version))
		}
	}

	if filename != "" {
		ps = append(ps, validateFilename(m, filename, version, versionOK)...)
	}

	for _, r := range m.RequiresDist {
		if r.Error != "" {
			ps = append(ps, errorf("Requires-Dist", "%q is not a valid PEP 508 requirement: %s", r.Raw, r.Error))
		}
	}
	if m.RequiresPython != "" {
		if _, err := pep440.ParseSpecifiers(m.RequiresPython); err != nil {
			ps = append(ps, errorf("Requires-Python", "%q is not a valid version specifier: %v", m.RequiresPython, err))
		}
	}
	if p, ok := checkContentType(m.DescriptionContentType); !ok {
		ps = append(ps, p)
	}
	if strings.TrimSpace(m.Description) == "" || strings.TrimSpace(m.Description) == "UNKNOWN" {
		ps = append(ps, infof("Description", "no long description; the project page will be empty"))
	}
	ps = append(ps, validateClassifiers(m)...)
	ps = append(ps, validateLicense(m, !mvOK || atLeast(mv, [2]int{2, 4}))...)
	for _, x := range m.ProvidesExtra {
		if !pep440.ValidName(x) {
			ps = append(ps, errorf("Provides-Extra", "%q is not a valid extra name", x))
		} else if mvOK && atLeast(mv, [2]int{2, 3}) && pep440.NormalizeName(x) != x {
			ps = append(ps, warnf("Provides-Extra", "%q is not normalised (Metadata 2.3+ wants %q)", x, pep440.NormalizeName(x)))
		}
	}
	for _, u := range m.ProjectURLs {
		if u.Label == "" {
			continue // no "label, url" form: reported while parsing
		}
		if len(u.Label) > 32 {
			ps = append(ps, errorf("Project-URL", "label %q is longer than 32 characters", u.Label))
		}
		if pu, err := url.Parse(u.URL); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			ps = append(ps, errorf("Project-URL", "%q is not an http or https URL", u.URL))
		}
	}
	for _, d := range m.Dynamic {
		switch strings.ToLower(d) {
		case "name", "version", "metadata-version":
			ps = append(ps, errorf("Dynamic", "%s must not be dynamic", d))
		}
	}
	if mvOK {
		for _, f := range fieldSince {
			if f.used(m) && !atLeast(mv, f.since) {
				ps = append(ps, warnf(f.header, "field needs Metadata-Version %d.%d or later, file says %s", f.since[0], f.since[1], m.MetadataVersion))
			}
		}
	}
	return ps
}

func validateMetadataVersion(m *CoreMetadata, ps *[]Problem) ([2]int, bool) {
	if m.MetadataVersion == "" {
		*ps = append(*ps, errorf("Metadata-Version", "missing"))
		return [2]int{}, false
	}
	mv, ok := parseMajorMinor(m.MetadataVersion)
	switch {
	case knownMetadataVersions[m.MetadataVersion]:
	case ok && mv[0] == 2 && mv[1] > 4:
		*ps = append(*ps, warnf("Metadata-Version", "%s is newer than the versions PYTI knows (1.0 to 2.4)", m.MetadataVersion))
	default:
		*ps = append(*ps, errorf("Metadata-Version", "%q is not a known metadata version (1.0, 1.1, 1.2, 2.1, 2.2, 2.3, 2.4)", m.MetadataVersion))
		return mv, false
	}
	return mv, ok
}

func parseMajorMinor(s string) ([2]int, bool) {
	a, b, ok := strings.Cut(s, ".")
	if !ok {
		return [2]int{}, false
	}
	maj, err1 := strconv.Atoi(a)
	min, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || maj < 0 || min < 0 {
		return [2]int{}, false
	}
	return [2]int{maj, min}, true
}

func atLeast(v, since [2]int) bool {
	return v[0] > since[0] || (v[0] == since[0] && v[1] >= since[1])
}

func validateFilename(m *CoreMetadata, filename string, version pep440.Version, versionOK bool) []Problem {
	d, err := ParseDistFilename(filename)
	if err != nil {
		return []Problem{errorf("filename", "%v", err)}
	}
	if d.Kind == KindSdist && versionOK && sdistStemMatches(strings.TrimSuffix(d.Filename, d.Extension), m.Name, version) {
		return nil // an ambiguous legacy name such as foo-1.0-1.tar.gz
	}
	var ps []Problem
	if m.Name != "" && pep440.NormalizeName(d.Name) != pep440.NormalizeName(m.Name) {
		ps = append(ps, errorf("filename", "file name %q names project %q, metadata says %q", d.Filename, d.Name, m.Name))
	}
	if d.Kind == KindWheel && strings.ContainsAny(d.Name, "-.") {
		ps = append(ps, warnf("filename", "wheel file name %q should spell the name with underscores (%q)", d.Filename, strings.ReplaceAll(pep440.NormalizeName(d.Name), "-", "_")))
	}
	if versionOK {
		if fv, err := pep440.Parse(d.Version); err == nil && fv.String() != version.String() {
			ps = append(ps, errorf("filename", "file name %q carries version %s, metadata says %s", d.Filename, d.Version, m.Version))
		}
	}
	return ps
}

// sdistStemMatches reports whether some dash of an sdist stem splits it into
// the given name and version: legacy sdist names are ambiguous when the
// version holds a dash.
func sdistStemMatches(stem, name string, version pep440.Version) bool {
	for i := strings.IndexByte(stem, '-'); i >= 0; {
		if pep440.NormalizeName(stem[:i]) == pep440.NormalizeName(name) {
			if v, err := pep440.Parse(stem[i+1:]); err == nil && v.String() == version.String() {
				return true
			}
		}
		j := strings.IndexByte(stem[i+1:], '-')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return false
}

// checkContentType checks Description-Content-Type the way PyPI does: one
// of text/plain, text/x-rst, text/markdown, charset UTF-8 if given, and for
// markdown a variant of GFM or CommonMark if given.
func checkContentType(ct string) (Problem, bool) {
	if ct == "" {
		return Problem{}, true
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return errorf("Description-Content-Type", "%q is not a valid content type: %v", ct, err), false
	}
	switch mt {
	case "text/plain", "text/x-rst", "text/markdown":
	default:
		return errorf("Description-Content-Type", "%q is not one of text/plain, text/x-rst, text/markdown", mt), false
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return errorf("Description-Content-Type", "charset %q is not UTF-8", cs), false
	}
	if v, ok := params["variant"]; ok && mt == "text/markdown" && v != "GFM" && v != "CommonMark" {
		return errorf("Description-Content-Type", "markdown variant %q is not GFM or CommonMark", v), false
	}
	return Problem{}, true
}

// validateClassifiers checks each classifier's shape: two or more non-empty
// parts separated by " :: ". Whether a classifier is on PyPI's list is not
// checked here.
func validateClassifiers(m *CoreMetadata) []Problem {
	var ps []Problem
	for _, c := range m.Classifiers {
		parts := strings.Split(c, " :: ")
		ok := len(parts) >= 2
		for _, p := range parts {
			if p == "" || strings.TrimSpace(p) != p || strings.Contains(p, "::") {
				ok = false
			}
		}
		if !ok {
			ps = append(ps, errorf("Classifier", "%q is not a well-formed classifier (\"Topic :: Subtopic\")", c))
			continue
		}
		if parts[0] == "Private" {
			ps = append(ps, warnf("Classifier", "%q: PyPI refuses uploads with Private :: classifiers", c))
		}
	}
	return ps
}

// validateLicense applies PEP 639: with License-Expression, License and
// license classifiers must not be used; License-File paths must be relative
// and stay inside the project. The first rule binds metadata of version 2.4,
// which defines License-Expression (pep639 false): older hatchling wrote
// the field into Metadata-Version 2.1 beside the project's license classifiers
// (colorama 0.4.6 on PyPI), where the field's version warning says enough.
func validateLicense(m *CoreMetadata, pep639 bool) []Problem {
	var ps []Problem
	if m.LicenseExpression != "" && pep639 {
		if m.License != "" {
			ps = append(ps, errorf("License", "must not be used together with License-Expression"))
		}
		for _, c := range m.Classifiers {
			if strings.HasPrefix(c, "License :: ") {
				ps = append(ps, errorf("Classifier", "%q: license classifiers must not be used together with License-Expression", c))
			}
		}
	}
	for _, f := range m.LicenseFiles {
		clean := path.Clean(strings.ReplaceAll(f, "\\", "/"))
		if f == "" || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || (len(f) > 1 && f[1] == ':') {
			ps = append(ps, errorf("License-File", "%q must be a relative path inside the distribution", f))
		}
	}
	return ps
}
