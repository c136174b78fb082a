package pkgmeta

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// RequirementsFile is what a pip requirements file (requirements*.txt)
// holds. Includes (-r, -c) are reported, never followed; global options
// (--index-url and the like) are listed but have no effect here.
type RequirementsFile struct {
	Requirements []RequirementLine     `json:"requirements"`
	Includes     []RequirementsInclude `json:"includes,omitempty"`
	Options      []RequirementsOption  `json:"options,omitempty"`
}

// RequirementLine is one requirement of a requirements file, environment
// marker kept. Direct is set for a path or URL that is not a PEP 508
// requirement (pip accepts those); Editable for a -e line.
type RequirementLine struct {
	Line int `json:"line"`
	RequirementEntry
	Editable bool     `json:"editable,omitempty"`
	Direct   bool     `json:"direct,omitempty"`
	Hashes   []string `json:"hashes,omitempty"`
}

// RequirementsInclude is a -r (Kind "requirements") or -c (Kind
// "constraints") line.
type RequirementsInclude struct {
	Line int    `json:"line"`
	Kind string `json:"kind"`
	Path string `json:"path"`
}

// RequirementsOption is a global option line, skipped.
type RequirementsOption struct {
	Line   int    `json:"line"`
	Option string `json:"option"`
	Value  string `json:"value,omitempty"`
}

// pip's comment rule: "#" at the start or after whitespace.
var reqCommentRE = regexp.MustCompile(`(^|\s+)#.*$`)

// reqOptionsWithValue are the pip options that take a value, long and short
// spellings, mapped to their long name.
var reqOptionsWithValue = map[string]string{
	"-r": "--requirement", "--requirement": "--requirement",
	"-c": "--constraint", "--constraint": "--constraint",
	"-e": "--editable", "--editable": "--editable",
	"-i": "--index-url", "--index-url": "--index-url",
	"--extra-index-url": "--extra-index-url",
	"-f":                "--find-links", "--find-links": "--find-links",
	"--no-binary": "--no-binary", "--only-binary": "--only-binary",
	"--trusted-host": "--trusted-host", "--use-feature": "--use-feature",
	"--hash": "--hash", "--config-settings": "--config-settings",
	"--global-option": "--global-option",
}

// ParseRequirementsFile reads a pip requirements file the way pip splits it:
// backslash continuations joined, comments removed, "-r"/"-c" includes
// recorded, options skipped, per-requirement --hash values kept. It never
// fails; input over MaxConfigBytes is refused with one problem.
func ParseRequirementsFile(data []byte) (*RequirementsFile, []Problem) {
	rf := &RequirementsFile{Requirements: []RequirementLine{}}
	if len(data) > MaxConfigBytes {
		return rf, []Problem{errorf("requirements", "%v", tooLarge("%d bytes, more than %d", len(data), MaxConfigBytes))}
	}
	var ps []Problem
	lines := strings.Split(strings.ToValidUTF8(string(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))), "\uFFFD"), "\n")
	for i := 0; i < len(lines); i++ {
		start := i + 1
		line := lines[i]
		for strings.HasSuffix(line, "\\") && !reqCommentRE.MatchString(line) && i+1 < len(lines) {
			i++
			line = line[:len(line)-1] + lines[i]
		}
		line = strings.TrimSpace(reqCommentRE.ReplaceAllString(line, ""))
		if line == "" {
			continue
		}
		field := fmt.Sprintf("requirements line %d", start)
		tokens := strings.Fields(line)
		n := 0
		for n < len(tokens) && !strings.HasPrefix(tokens[n], "-") {
			n++
		}
		opts, problems := parseReqOptions(tokens[n:], field)
		ps = append(ps, problems...)
		if n == 0 {
			rf.addOptionLine(start, opts, field, &ps)
			continue
		}
		rl := RequirementLine{Line: start, RequirementEntry: parseRequirementEntry(strings.Join(tokens[:n], " "))}
		for _, o := range opts {
			if o.Option == "--hash" {
				rl.Hashes = append(rl.Hashes, o.Value)
			}
		}
		if rl.Error != "" && looksLikePathOrURL(rl.Raw) {
			rl.Error, rl.Direct = "", true
		}
		if rl.Error != "" {
			ps = append(ps, errorf(field, "%q is not a valid requirement: %s", rl.Raw, rl.Error))
		}
		rf.Requirements = append(rf.Requirements, rl)
	}
	return rf, ps
}

// addOptionLine files a line that starts with an option.
func (rf *RequirementsFile) addOptionLine(line int, opts []RequirementsOption, field string, ps *[]Problem) {
	for _, o := range opts {
		switch o.Option {
		case "--requirement":
			rf.Includes = append(rf.Includes, RequirementsInclude{Line: line, Kind: "requirements", Path: o.Value})
		case "--constraint":
			rf.Includes = append(rf.Includes, RequirementsInclude{Line: line, Kind: "constraints", Path: o.Value})
		case "--editable":
			rl := RequirementLine{Line: line, RequirementEntry: RequirementEntry{Raw: o.Value}, Editable: true, Direct: true}
			if e := parseRequirementEntry(o.Value); e.Error == "" && !looksLikePathOrURL(o.Value) {
				rl.RequirementEntry, rl.Direct = e, false
			}
			rf.Requirements = append(rf.Requirements, rl)
		case "--hash":
			*ps = append(*ps, warnf(field, "--hash without a requirement on the same line"))
		default:
			o.Line = line
			rf.Options = append(rf.Options, o)
		}
	}
}

// parseReqOptions reads option tokens: "-rfile", "-r file",
// "--requirement=file", "--requirement file", and flags without values.
func parseReqOptions(tokens []string, field string) ([]RequirementsOption, []Problem) {
	var (
		out []RequirementsOption
		ps  []Problem
	)
	for i := 0; i < len(tokens); i++ {
		t := tokens[i]
		name, value, hasValue := strings.Cut(t, "=")
		if !strings.HasPrefix(t, "--") && len(t) > 2 {
			// Short option with its value attached: -rfile.
			name, value, hasValue = t[:2], t[2:], true
		}
		long, takesValue := reqOptionsWithValue[name]
		if !takesValue {
			if !strings.HasPrefix(t, "-") {
				ps = append(ps, warnf(field, "stray argument %q after options ignored", t))
				continue
			}
			out = append(out, RequirementsOption{Option: t})
			continue
		}
		if !hasValue {
			if i+1 >= len(tokens) {
				ps = append(ps, errorf(field, "option %s needs a value", name))
				continue
			}
			i++
			value = tokens[i]
		}
		out = append(out, RequirementsOption{Option: long, Value: value})
	}
	return out, ps
}

// looksLikePathOrURL tells a local path or URL requirement (which pip
// accepts but PEP 508 does not) from a malformed requirement.
func looksLikePathOrURL(s string) bool {
	if strings.Contains(s, "://") || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") ||
		strings.ContainsAny(s, "/\\") || strings.HasPrefix(s, "file:") {
		return true
	}
	lower := strings.ToLower(s)
	for _, ext := range []string{".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"} {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}
