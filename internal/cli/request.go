package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/tasks"
)

// parseRequest tells a local path from a requirement and checks the requirement's syntax.
func parseRequest(arg string) (tasks.Request, error) {
	looksLikeURL := strings.Contains(arg, "://") || strings.Contains(arg, " @ ")
	looksLikePath := strings.ContainsAny(arg, "/\\") || strings.HasSuffix(arg, ".whl") || strings.HasSuffix(arg, ".tar.gz") ||
		strings.HasSuffix(arg, ".zip") || arg == "."
	if looksLikePath && !looksLikeURL {
		abs, err := filepath.Abs(arg)
		if err != nil {
			return tasks.Request{}, err
		}
		if _, err := os.Stat(abs); err != nil {
			return tasks.Request{}, fmt.Errorf("%s: no such file or directory", arg)
		}
		return tasks.Request{Spec: arg, Path: abs}, nil
	}
	r, err := pep440.ParseRequirement(arg)
	if err != nil {
		return tasks.Request{}, fmt.Errorf("%q is neither a path nor a requirement: %v", arg, err)
	}
	if r.URL != "" {
		return tasks.Request{}, fmt.Errorf("%q: direct URLs are not supported; download the file and give its path", arg)
	}
	return tasks.Request{Spec: arg}, nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string {
	s = unsafeChars.ReplaceAllString(filepath.Base(s), "_")
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}
