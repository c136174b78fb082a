package debwheel

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var (
	// cpythonExtRe matches an extension module built for one CPython version, as Debian names
	// them: name.cpython-313-x86_64-linux-gnu.so (and the debug build's cpython-313d).
	cpythonExtRe = regexp.MustCompile(`\.cpython-3(\d+)d?-([a-z0-9_]+-linux-gnu[a-z0-9_]*)\.so$`)
	// abi3ExtRe matches an extension module for the stable ABI: name.abi3.so.
	abi3ExtRe = regexp.MustCompile(`\.abi3\.so$`)
)

// debianPlatforms maps dpkg architectures to wheel platform tags.
var debianPlatforms = map[string]string{
	"amd64": "linux_x86_64", "arm64": "linux_aarch64", "i386": "linux_i686", "armhf": "linux_armv7l",
	"ppc64el": "linux_ppc64le", "s390x": "linux_s390x", "riscv64": "linux_riscv64",
}

// tripletPlatforms maps multiarch triplets (in extension module names) to wheel platform tags.
var tripletPlatforms = map[string]string{
	"x86_64-linux-gnu": "linux_x86_64", "aarch64-linux-gnu": "linux_aarch64", "i386-linux-gnu": "linux_i686",
	"arm-linux-gnueabihf": "linux_armv7l", "powerpc64le-linux-gnu": "linux_ppc64le",
	"s390x-linux-gnu": "linux_s390x", "riscv64-linux-gnu": "linux_riscv64",
}

// wheelTags chooses the tags of a wheel holding files, from package architecture arch, in a root
// whose Python 3 minor version is pyMinor ("" if unknown). It returns the tag for the file name
// (a compressed tag set when the package has extension modules for several Python versions) and
// the tags for the WHEEL file, one each.
func wheelTags(files []payloadFile, arch, pyMinor string) (fileTag string, tags []string, err error) {
	minors := map[string]bool{}
	triplet, abi3, untagged := "", false, false
	for _, f := range files {
		if m := cpythonExtRe.FindStringSubmatch(f.name); m != nil {
			minors[m[1]] = true
			triplet = m[2]
			continue
		}
		if abi3ExtRe.MatchString(f.name) {
			abi3 = true
			continue
		}
		if strings.HasSuffix(f.name, ".so") {
			untagged = true
		}
	}
	if len(minors) == 0 && !abi3 && !untagged {
		return "py3-none-any", []string{"py3-none-any"}, nil
	}
	platform, ok := debianPlatforms[arch]
	if !ok {
		if platform, ok = tripletPlatforms[triplet]; !ok {
			return "", nil, fmt.Errorf("extension modules for architecture %q, which has no wheel platform tag here", arch)
		}
	}
	if len(minors) > 0 {
		var vs []string
		for v := range minors {
			vs = append(vs, v)
		}
		sort.Slice(vs, func(i, j int) bool { return len(vs[i]) < len(vs[j]) || len(vs[i]) == len(vs[j]) && vs[i] < vs[j] })
		var py []string
		for _, v := range vs {
			py = append(py, "cp3"+v)
			tags = append(tags, "cp3"+v+"-cp3"+v+"-"+platform)
		}
		set := strings.Join(py, ".")
		return set + "-" + set + "-" + platform, tags, nil
	}
	if pyMinor == "" {
		return "", nil, fmt.Errorf("extension modules without a CPython version in their names, and no /usr/bin/python3 to tell which Python they are for")
	}
	py := "cp3" + pyMinor
	tag := py + "-" + py + "-" + platform
	if abi3 && !untagged {
		// Built against this Python's stable ABI: good for it and later versions.
		tag = py + "-abi3-" + platform
	}
	return tag, []string{tag}, nil
}
