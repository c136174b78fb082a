package inspection

import (
	"fmt"
	"strings"
)

// Project is what the packaging checks look at, gathered from the metadata and the source tree.
type Project struct {
	Name, Version, Summary, Description, DescriptionContentType string
	License, RequiresPython, Author, Keywords                   string
	Classifiers                                                 []string
	URLs                                                        int
	// Emails are the author's and maintainer's addresses; HomeURLs the home page and project URLs.
	Emails, HomeURLs                                   []string
	HasPyproject, HasBuildSystem, HasSetupPy, HasTests bool
	HasLicenseFile, HasReadme, DescriptionRenders      bool
	// IsWheel says the distribution is a wheel: it declares no build system and seldom holds
	// tests, so those checks are not its to pass, and its licence text lies in its .dist-info.
	IsWheel bool
	// RenderProblem says why the description does not render, when it does not.
	RenderProblem string
	// Requires are the names of the projects it depends on, as its sdist or wheel declares them.
	Requires []string
}

// Check is one packaging check and its outcome.
type Check struct {
	Name   string `json:"check"`
	Passed bool   `json:"passed"`
	Weight int    `json:"weight"`
	Detail string `json:"detail"`
}

// PackagingScore rates a project's packaging out of 10 the way pyroma does (name, version,
// description, classifiers, licence, Python requirement, URLs, author, tests), and also reads
// pyproject.toml: a declared build system counts, a setup.py-only project is told so. A wheel
// is not judged on what only an sdist has (its build system, its tests).
func PackagingScore(p Project) (score int, checks []Check) {
	add := func(name string, weight int, ok bool, good, bad string) {
		detail := good
		if !ok {
			detail = bad
		}
		checks = append(checks, Check{Name: name, Passed: ok, Weight: weight, Detail: detail})
	}
	add("name", 2, p.Name != "", "has a name", "has no Name in its metadata")
	add("version", 2, p.Version != "" && p.Version != "0.0.0", "has a version", "has no real version")
	add("summary", 2, len(strings.TrimSpace(p.Summary)) >= 10, "has a summary", "has no useful Summary (one line saying what it is)")
	noDescription := "has no long description (the README shown on the index)"
	if n := len([]rune(strings.TrimSpace(p.Description))); n > 0 {
		// pyasn1 0.4.8's is one sentence of 73 characters.
		noDescription = fmt.Sprintf("has a long description of only %d characters (the README shown on the index)", n)
	}
	add("description", 3, len(strings.TrimSpace(p.Description)) >= 100, "has a long description", noDescription)
	add("description-type", 1, p.DescriptionContentType != "", "says its description's format ("+p.DescriptionContentType+")", "does not say its description's format (Description-Content-Type)")
	add("description-renders", 2, p.DescriptionRenders || p.Description == "", "its description renders", "its description does not render: "+p.RenderProblem)
	add("classifiers", 2, len(p.Classifiers) >= 3, fmt.Sprintf("has %d classifiers", len(p.Classifiers)), "has fewer than 3 trove classifiers")
	add("license", 2, p.License != "" || hasPrefix(p.Classifiers, "License ::"), "states a licence", "states no licence")
	add("license-file", 1, p.HasLicenseFile, "ships its licence text", "ships no LICENSE file")
	add("requires-python", 2, p.RequiresPython != "", "declares Requires-Python "+p.RequiresPython, "does not declare which Pythons it supports (Requires-Python)")
	add("urls", 1, p.URLs > 0, "links its home page or repository", "gives no project URLs")
	add("author", 1, p.Author != "", "names an author or maintainer", "names no author")
	add("keywords", 1, p.Keywords != "", "has keywords", "has no keywords")
	if !p.IsWheel {
		add("build-system", 2, p.HasBuildSystem, "declares its build system in pyproject.toml", buildSystemAdvice(p))
		add("tests", 3, p.HasTests, "ships tests in the sdist", "ships no tests in the sdist")
	}
	total, got := 0, 0
	for _, c := range checks {
		total += c.Weight
		if c.Passed {
			got += c.Weight
		}
	}
	score = (got*10 + total/2) / total
	if got < total {
		// Rounded, 26 of 27 would be 10 (python-dateutil 2.8.2, no keywords): full marks are
		// for passing every check.
		score = min(score, 9)
	}
	return score, checks
}

func buildSystemAdvice(p Project) string {
	if p.HasSetupPy && !p.HasPyproject {
		return "is a legacy setup.py-only project: no pyproject.toml declares its build system"
	}
	return "does not declare its build system ([build-system] in pyproject.toml)"
}

func hasPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
