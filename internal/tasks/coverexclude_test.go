package tasks

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProjectExclusions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"no configuration", map[string]string{"setup.py": ""}, nil},
		{"setup.cfg's coverage sections, no exclusions", map[string]string{"setup.cfg": "[coverage:run]\nbranch = True\nomit = pkg/tests/*\n"}, nil},
		{"setup.cfg's exclude_lines replace the default", map[string]string{
			"setup.cfg": "[tool:pytest]\naddopts = -x\n[coverage:report]\nexclude_lines = pragma: no cover\n    raise NotImplementedError\n    return NotImplemented\n[other]\nx = 1\n"},
			[]string{"pragma: no cover", "raise NotImplementedError", "return NotImplemented"}},
		{".coveragerc before setup.cfg", map[string]string{
			".coveragerc": "[run]\nbranch = True\n[report]\nexclude_lines =\n    if TYPE_CHECKING:\n",
			"setup.cfg":   "[coverage:report]\nexclude_lines = never\n"},
			[]string{"if TYPE_CHECKING:"}},
		{"an empty .coveragerc is read, and the files after it are not", map[string]string{
			".coveragerc": "", "tox.ini": "[coverage:report]\nexclude_lines = never\n"}, nil},
		{"tox.ini when setup.cfg has no coverage section", map[string]string{
			"setup.cfg": "[metadata]\nname = x\n", "tox.ini": "[testenv]\ncommands = pytest\n[coverage:report]\nexclude_also =\n    def __repr__\n"},
			[]string{defaultExclude, "def __repr__"}},
		{"pyproject.toml's arrays", map[string]string{
			"pyproject.toml": "[tool.coverage.run]\nbranch = true\n[tool.coverage.report]\nexclude_lines = [\"pragma: no cover\", \"@overload\"]\nexclude_also = [\"if __name__ == .__main__.:\"]\n"},
			[]string{"pragma: no cover", "@overload", "if __name__ == .__main__.:"}},
		{"pyproject.toml is not read when setup.cfg has coverage's sections", map[string]string{
			"setup.cfg":      "[coverage:run]\nbranch = True\n",
			"pyproject.toml": "[tool.coverage.report]\nexclude_lines = [\"never\"]\n"}, nil},
		{"a malformed pyproject.toml", map[string]string{"pyproject.toml": "[tool.coverage.report\nexclude_lines = ["}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, tc.files)
			if d := cmp.Diff(tc.want, projectExclusions(root)); d != "" {
				t.Errorf("exclusions (-want +got):\n%s", d)
			}
		})
	}
}
