package pep440

import (
	"errors"
	"fmt"
	"strings"
)

// Environment holds the values of marker variables, keyed by their
// canonical names: python_version, python_full_version, os_name,
// sys_platform, platform_machine, platform_python_implementation,
// platform_release, platform_system, platform_version,
// implementation_name, implementation_version and extra.
type Environment map[string]string

// ErrUndefinedMarker is wrapped by Evaluate errors: a variable missing from
// the environment, or a comparison that has no meaning.
var ErrUndefinedMarker = errors.New("cannot evaluate marker")

// DefaultEnvironment describes CPython pythonFullVersion (e.g. "3.11.2" or
// "3.13.0rc1") on Linux x86_64, as PYTI's sandboxes are. "extra" is left
// out: Evaluate treats a missing extra as "".
func DefaultEnvironment(pythonFullVersion string) Environment {
	short := pythonFullVersion
	if v, err := Parse(pythonFullVersion); err == nil && len(v.release) >= 2 {
		short = fmt.Sprintf("%d.%d", v.release[0], v.release[1])
	} else if parts := strings.SplitN(pythonFullVersion, ".", 3); len(parts) >= 2 {
		short = parts[0] + "." + parts[1]
	}
	return Environment{
		"implementation_name":            "cpython",
		"implementation_version":         pythonFullVersion,
		"os_name":                        "posix",
		"platform_machine":               "x86_64",
		"platform_python_implementation": "CPython",
		"platform_release":               "6.1.0-28-amd64",
		"platform_system":                "Linux",
		"platform_version":               "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)",
		"python_full_version":            pythonFullVersion,
		"python_version":                 short,
		"sys_platform":                   "linux",
	}
}
