package pkgmeta

import (
	"sort"

	"github.com/pyti/pyti/internal/pep440"
)

// toolGroups are the development environments project tools keep in [tool.*] instead of PEP 735
// groups, as PEP 508 requirements: Hatch's environments ([tool.hatch.envs.NAME]: dependencies
// and extra-dependencies, the project extras its features name, and what it inherits from its
// template, "default" unless it says otherwise or is detached), PDM's [tool.pdm.dev-dependencies] groups, and
// uv's [tool.uv] dev-dependencies (as "dev"). Hatch's "hatch-test" environment, which `hatch
// test` runs, is named "test", and its "default" environment "dev": the names say what they are
// for, which is how a test group is chosen (see IsTestName). An entry that is not a PEP 508
// requirement (PDM's "-e file:///${PROJECT_ROOT}/…", Hatch's context fields) is left out.
// Sorted by name.
func toolGroups(tool map[string]any, extras map[string][]string) []DependencyGroup {
	var out []DependencyGroup
	if hatch, ok := tool["hatch"].(map[string]any); ok {
		if envs, ok := hatch["envs"].(map[string]any); ok {
			for _, name := range sortedKeys(envs) {
				reqs, cmds := hatchEnvRequirements(envs, name, extras, map[string]bool{})
				if len(reqs)+len(cmds) == 0 {
					continue
				}
				as := map[string]string{"hatch-test": "test", "default": "dev"}[name]
				if as == "" {
					as = name
				}
				out = append(out, DependencyGroup{Name: as, Tool: "hatch", Requirements: nonNil(reqs), Commands: cmds})
			}
		}
	}
	if pdm, ok := tool["pdm"].(map[string]any); ok {
		if groups, ok := pdm["dev-dependencies"].(map[string]any); ok {
			for _, name := range sortedKeys(groups) {
				if reqs := requirementStrings(groups[name]); len(reqs) > 0 {
					out = append(out, DependencyGroup{Name: name, Tool: "pdm", Requirements: reqs})
				}
			}
		}
	}
	if uv, ok := tool["uv"].(map[string]any); ok {
		if reqs := requirementStrings(uv["dev-dependencies"]); len(reqs) > 0 {
			out = append(out, DependencyGroup{Name: "dev", Tool: "uv", Requirements: reqs})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// hatchEnvRequirements are the requirements of Hatch's environment name, and its scripts'
// command lines: its template's first (seen guards a loop of templates), then its
// dependencies, extra-dependencies and the project extras its features name, and its scripts (a
// string, or a list of command strings each; mkdocs 1.4.3's test script is its unittest
// discovery, with the pattern its test modules' names follow).
func hatchEnvRequirements(envs map[string]any, name string, extras map[string][]string, seen map[string]bool) (reqs, cmds []string) {
	if seen[name] {
		return nil, nil
	}
	seen[name] = true
	env, _ := envs[name].(map[string]any)
	template := "default"
	if t, ok := env["template"].(string); ok {
		template = t
	}
	if d, _ := env["detached"].(bool); d {
		template = "" // a detached environment is its own template
	}
	// hatch-test is Hatch's own environment, which inherits nothing.
	if template != "" && template != name && name != "hatch-test" {
		if _, ok := envs[template]; ok {
			reqs, cmds = hatchEnvRequirements(envs, template, extras, seen)
		}
	}
	reqs = append(reqs, requirementStrings(env["dependencies"])...)
	reqs = append(reqs, requirementStrings(env["extra-dependencies"])...)
	features, _ := asArray(env["features"])
	for _, f := range features {
		if s, ok := f.(string); ok {
			for extra, rs := range extras {
				if pep440.NormalizeName(extra) == pep440.NormalizeName(s) {
					reqs = append(reqs, rs...)
				}
			}
		}
	}
	if scripts, ok := env["scripts"].(map[string]any); ok {
		for _, k := range sortedKeys(scripts) {
			switch v := scripts[k].(type) {
			case string:
				cmds = append(cmds, v)
			case []any:
				for _, c := range v {
					if s, ok := c.(string); ok {
						cmds = append(cmds, s)
					}
				}
			}
		}
	}
	return reqs, cmds
}

// requirementStrings are the PEP 508 requirements of a TOML array, the rest left out.
func requirementStrings(v any) []string {
	arr, _ := asArray(v)
	var out []string
	for _, e := range arr {
		if s, ok := e.(string); ok {
			if _, err := pep440.ParseRequirement(s); err == nil {
				out = append(out, s)
			}
		}
	}
	return out
}
