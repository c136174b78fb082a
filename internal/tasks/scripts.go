package tasks

import (
	"embed"
	"os"
	"path/filepath"

	"github.com/pyti/pyti/internal/testresult"
)

// pythonScripts are PYTI's small Python helpers, run inside the sandbox.
//
//go:embed python/*.py
var pythonScripts embed.FS

// writeScripts writes the helpers and the pytest plugin into dir, which every sandboxed step sees
// read-only at insideScripts.
func writeScripts(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := pythonScripts.ReadDir("python")
	if err != nil {
		return err
	}
	for _, e := range entries {
		data, err := pythonScripts.ReadFile("python/" + e.Name())
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, testresult.PluginModule+".py"), testresult.PytestPlugin, 0o644)
}

// script is the path of a helper inside the sandbox.
func script(name string) string { return insideScripts + "/" + name }
