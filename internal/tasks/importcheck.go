package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/report"
)

// importModules imports every top-level module the wheel provides, each in a fresh interpreter,
// before any test dependency is added to the environment: an undeclared dependency fails here.
func (j *job) importModules(ctx context.Context, d *dag.Data, t *target) error {
	w, _ := t.kWheel.Get(d)
	env, _ := t.kEnv.Get(d)
	dir := filepath.Join(t.work, "import")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	imp := &report.Import{Modules: []report.Module{}}
	defer j.setResult(t, func(tr *report.TargetResults) { tr.Import = imp })
	if len(w.Modules) == 0 {
		imp.Phase = report.Phase{Outcome: "ok", Reason: "the wheel provides no importable top-level module"}
		t.kImported.Set(d, Imported{OK: true})
		return nil
	}
	res, err := j.run(ctx, step{t: t, task: t.task("import"), name: "import", phase: "import", dir: j.in(dir), wall: j.opts.ImportTimeout,
		site: j.in(env.SitePackages), argv: append([]string{j.in(env.Python), "-I", script("import_modules.py")}, w.Modules...)})
	if err != nil {
		return err
	}
	imp.Phase = res.phase
	j.limitHint(t, res.res)
	failed := 0
	for _, line := range splitLines(string(res.res.Stdout)) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var m struct {
			Name    string  `json:"name"`
			OK      bool    `json:"ok"`
			Error   string  `json:"error"`
			Missing *string `json:"missing"`
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			continue
		}
		mod := report.Module{Name: m.Name, OK: m.OK, Error: m.Error}
		if m.Missing != nil {
			mod.Missing = *m.Missing
		}
		if !m.OK {
			failed++
		}
		imp.Modules = append(imp.Modules, mod)
	}
	if len(imp.Modules) < len(w.Modules) {
		return fmt.Errorf("the import check ended early (%s) after %d of %d modules", describe(res.res), len(imp.Modules), len(w.Modules))
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d modules do not import: %s", failed, len(imp.Modules), firstImportError(imp.Modules))
	}
	t.kImported.Set(d, Imported{OK: true})
	return nil
}

func firstImportError(mods []report.Module) string {
	for _, m := range mods {
		if !m.OK {
			if m.Missing != "" {
				return fmt.Sprintf("%s needs %s, which is not installed (an undeclared dependency?)", m.Name, m.Missing)
			}
			lines := tail(m.Error, 1)
			return m.Name + ": " + lines[0]
		}
	}
	return ""
}
