package tasks

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// settingsAssignment is a Django settings module a script names: os.environ.setdefault(
// "DJANGO_SETTINGS_MODULE", "tests.settings"), os.environ["DJANGO_SETTINGS_MODULE"] = "...",
// {"DJANGO_SETTINGS_MODULE": "..."}, and tox's setenv line DJANGO_SETTINGS_MODULE = tests.settings.
var settingsAssignment = regexp.MustCompile(`DJANGO_SETTINGS_MODULE['"]?\s*(?:,|\]\s*=|:|=)\s*['"]?([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)`)

// settingsOption is the settings module a command gives Django's (or pytest-django's) option:
// django-taggit's tox command `python -m django test --settings=tests.settings`.
var settingsOption = regexp.MustCompile(`(?:^|\s)--(?:settings|ds)[= ]([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)`)

// djangoSettings is the Django settings module the project's own test runner uses, when the tree
// has it: the one its pytest configuration gives pytest-django, tox.ini's [testenv] setenv or
// command (`django test --settings=...`), or the
// one a script at the top of the tree sets before running Django's test command (django-filter's
// runtests.py, manage.py). "" when there is none, or when no module of the tree has that name
// (a runner that calls settings.configure() itself).
func djangoSettings(root string) string {
	var candidates []string
	candidates = append(candidates, pytestOption(root, "DJANGO_SETTINGS_MODULE")...)
	if data, err := readToxConfig(root); err == nil {
		lines := append(toxValue(string(data), "testenv", "setenv"), toxValue(string(data), "testenv", "commands")...)
		for _, line := range lines {
			for _, re := range []*regexp.Regexp{settingsAssignment, settingsOption} {
				if m := re.FindStringSubmatch(line); m != nil {
					candidates = append(candidates, m[1])
				}
			}
		}
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".py") {
			continue
		}
		data, err := readCapped(filepath.Join(root, e.Name()), 1<<20)
		if err != nil {
			continue
		}
		for _, m := range settingsAssignment.FindAllStringSubmatch(string(data), -1) {
			candidates = append(candidates, m[1])
		}
	}
	for _, c := range candidates {
		c = strings.TrimSpace(c)
		rel := filepath.FromSlash(strings.ReplaceAll(c, ".", "/"))
		if exists(filepath.Join(root, rel+".py")) || exists(filepath.Join(root, rel, "__init__.py")) {
			return c
		}
	}
	return ""
}
