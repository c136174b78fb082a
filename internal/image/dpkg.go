package image

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// installedPackages parses a dpkg status file and returns the installed packages, by name.
func installedPackages(r io.Reader) ([]Package, error) {
	var (
		out              []Package
		name, ver, state string
	)
	flush := func() {
		if name != "" && strings.HasSuffix(state, " installed") {
			out = append(out, Package{Name: name, Version: ver})
		}
		name, ver, state = "", "", ""
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			flush()
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, " ") {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Package":
			name = v
		case "Version":
			ver = v
		case "Status":
			state = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading dpkg status: %w", err)
	}
	flush()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

var pythonPkgRE = regexp.MustCompile(`^python3\.(\d+)$`)

// pythonVersion finds the interpreter package python3.N among pkgs and returns its upstream
// version ("3.11.2" of "3.11.2-6+deb12u6"). It is an error when there is none, or when its minor
// version is not want's.
func pythonVersion(pkgs []Package, want string) (string, error) {
	for _, p := range pkgs {
		if !pythonPkgRE.MatchString(p.Name) {
			continue
		}
		v := p.Version
		if _, after, ok := strings.Cut(v, ":"); ok {
			v = after
		}
		if i := strings.LastIndex(v, "-"); i > 0 {
			v = v[:i]
		}
		if v != want && !strings.HasPrefix(v, want+".") {
			return "", fmt.Errorf("the image has %s %s, expected Python %s", p.Name, p.Version, want)
		}
		return v, nil
	}
	return "", fmt.Errorf("no python3.N package installed, expected Python %s", want)
}
