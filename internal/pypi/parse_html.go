package pypi

import (
	"bytes"
	"fmt"
	"net/url"
	"path"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// parseHTMLPage parses a PEP 503 project page: one anchor per file, with
// data-requires-python (HTML-escaped, unescaped by the tokenizer),
// data-yanked (PEP 592), data-core-metadata / data-dist-info-metadata
// (PEP 658/714), "#<hash>=<hex>" fragments, and relative hrefs resolved
// against base, or against a <base href> when the page has one.
func parseHTMLPage(body []byte, base *url.URL) (*ProjectPage, []string, error) {
	page := &ProjectPage{Format: "html"}
	var notes []string
	z := html.NewTokenizer(bytes.NewReader(body))
	type anchor struct {
		attrs map[string]string
		has   map[string]bool
		text  strings.Builder
	}
	var cur *anchor
	finish := func(a *anchor) {
		href, ok := a.attrs["href"]
		if !ok || strings.TrimSpace(href) == "" {
			return
		}
		u, frag, err := resolveFileURL(base, href)
		if err != nil {
			notes = append(notes, fmt.Sprintf("link %q: %v; skipped", href, err))
			return
		}
		name := strings.TrimSpace(a.text.String())
		if name == "" {
			// The anchor text MUST be the file name; fall back to the URL.
			pu, _ := url.Parse(u)
			if pu != nil {
				name = path.Base(pu.Path)
			}
		}
		f := File{Filename: name, URL: u, Hashes: frag, Size: -1}
		if rp, ok := a.attrs["data-requires-python"]; ok {
			f.RequiresPython = strings.TrimSpace(rp)
		}
		if a.has["data-yanked"] {
			f.Yanked = true
			f.YankedReason = a.attrs["data-yanked"]
		}
		md, ok := a.attrs["data-core-metadata"]
		if !ok {
			md, ok = a.attrs["data-dist-info-metadata"]
		}
		if ok {
			f.CoreMetadata, f.CoreMetadataHashes = parseHTMLMetadata(md)
		}
		page.Files = append(page.Files, f)
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if cur != nil {
				finish(cur)
			}
			return page, notes, nil
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			attrs := map[string]string{}
			has := map[string]bool{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				key := strings.ToLower(string(k))
				if _, dup := attrs[key]; !dup {
					attrs[key] = string(v)
					has[key] = true
				}
			}
			switch atom.Lookup(name) {
			case atom.A:
				if cur != nil {
					finish(cur)
				}
				cur = &anchor{attrs: attrs, has: has}
				if tt == html.SelfClosingTagToken {
					finish(cur)
					cur = nil
				}
			case atom.Meta:
				if strings.EqualFold(attrs["name"], "pypi:repository-version") {
					page.APIVersion = strings.TrimSpace(attrs["content"])
					if err := checkAPIVersion(page.APIVersion); err != nil {
						return nil, nil, err
					}
				}
			case atom.Base:
				if href := attrs["href"]; href != "" && base != nil {
					if b, err := base.Parse(href); err == nil {
						base = b
					}
				}
			}
		case html.TextToken:
			if cur != nil {
				cur.text.Write(z.Text())
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if atom.Lookup(name) == atom.A && cur != nil {
				finish(cur)
				cur = nil
			}
		}
	}
}

// parseHTMLMetadata reads a data-core-metadata value: "true", "false" or
// "<hashname>=<hex>".
func parseHTMLMetadata(v string) (bool, map[string]string) {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "", "true":
		return true, nil
	case "false":
		return false, nil
	}
	if name, val, ok := strings.Cut(v, "="); ok && name != "" {
		return true, map[string]string{strings.ToLower(name): strings.ToLower(val)}
	}
	return true, nil
}
