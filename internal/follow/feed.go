package follow

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// Release is one new release (or, from the new-projects feed, one new project, Version empty).
type Release struct {
	// Name is the project's name as the feed gives it (PEP 503 normalised on PyPI).
	Name    string    `json:"name"`
	Version string    `json:"version,omitempty"`
	Time    time.Time `json:"time"`
	// NewProject is true for entries of the new-projects feed.
	NewProject bool `json:"new_project,omitempty"`
}

// Spec is the requirement to analyse: name==version, or the name alone for a new project.
func (r Release) Spec() string {
	if r.Version == "" {
		return r.Name
	}
	return r.Name + "==" + r.Version
}

func (r Release) key() string { return r.Name + " " + r.Version }

type rss struct {
	Channel struct {
		Items []rssItem `xml:"item"`
	} `xml:"channel"`
}

type rssItem struct {
	Title   string `xml:"title"`
	Link    string `xml:"link"`
	PubDate string `xml:"pubDate"`
}

// maxFeedBytes caps a feed's body; PyPI's are a few kilobytes.
const maxFeedBytes = 4 << 20

// parseFeed reads an RSS feed of PyPI's shape. Releases come from links /project/NAME/VERSION/,
// new projects from /project/NAME/. Items that fit neither are skipped.
func parseFeed(r io.Reader, newProjects bool) ([]Release, error) {
	var doc rss
	dec := xml.NewDecoder(io.LimitReader(r, maxFeedBytes))
	dec.Strict = false
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("reading the feed: %w", err)
	}
	var out []Release
	for _, it := range doc.Channel.Items {
		name, version, ok := projectLink(strings.TrimSpace(it.Link))
		if !ok || (newProjects != (version == "")) {
			continue
		}
		t, err := parseTime(strings.TrimSpace(it.PubDate))
		if err != nil {
			continue
		}
		out = append(out, Release{Name: name, Version: version, Time: t, NewProject: newProjects})
	}
	return out, nil
}

// projectLink splits https://pypi.org/project/NAME/[VERSION/].
func projectLink(link string) (name, version string, ok bool) {
	u, err := url.Parse(link)
	if err != nil {
		return "", "", false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] != "project" || parts[1] == "" {
		return "", "", false
	}
	if len(parts) == 3 {
		version = parts[2]
	}
	return parts[1], version, true
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC1123, time.RFC1123Z, "Mon, 2 Jan 2006 15:04:05 MST", "Mon, 2 Jan 2006 15:04:05 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("pubDate %q is not an RFC 822 date", s)
}
