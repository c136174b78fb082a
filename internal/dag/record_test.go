package dag

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRecordJSONRoundTrip(t *testing.T) {
	req, wheel, env := NewKey[string]("request"), NewKey[[]byte]("wheel"), NewKey[string]("environment")
	in := NewData()
	req.Set(in, "demo==1.0")
	g := mustGraph(t, keys(req),
		Task{Name: "build", Needs: keys(req), Provides: keys(wheel), Run: func(ctx context.Context, d *Data) error {
			AddUsage(ctx, Usage{CPU: 1500000, PeakRSS: 4096})
			return errors.New("boom")
		}},
		Task{Name: "install", Needs: keys(wheel), Provides: keys(env), Timeout: 2000000, Run: nop},
		Task{Name: "panics", Run: func(context.Context, *Data) error { panic("oops") }},
		Task{Name: "report", Needs: keys(req), Optional: keys(env), Run: nop},
	)
	res := mustRun(t, &Runner{Parallel: 2}, context.Background(), g, in)

	raw, err := json.Marshal(res.Record)
	if err != nil {
		t.Fatal(err)
	}
	var back Record
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(res.Record, back); diff != "" {
		t.Errorf("round trip (-before +after):\n%s", diff)
	}

	// The tags are part of the report format: check them by name.
	var generic struct {
		Parallel int              `json:"parallel"`
		Initial  []string         `json:"initial"`
		Data     []map[string]any `json:"data"`
		Tasks    []map[string]any `json:"tasks"`
	}
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	fields := func(m map[string]any) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	byName := map[string][]string{}
	for _, task := range generic.Tasks {
		byName[task["name"].(string)] = fields(task)
	}
	common := []string{"cpu_ms", "name", "needs", "optional", "peak_rss_bytes", "provides", "status", "timeout_ms", "wall_ms"}
	want := map[string][]string{
		"build":   sorted(append(common, "end", "error", "reason", "start")),
		"install": sorted(append(common, "cause", "reason")),
		"panics":  sorted(append(common, "end", "error", "panic_stack", "reason", "start")),
		"report":  sorted(append(common, "end", "start")),
	}
	if diff := cmp.Diff(want, byName); diff != "" {
		t.Errorf("task JSON fields (-want +got):\n%s", diff)
	}
	wantData := []map[string]any{
		{"name": "environment", "type": "string", "provider": "install", "present": false},
		{"name": "request", "type": "string", "present": true},
		{"name": "wheel", "type": "[]uint8", "provider": "build", "present": false},
	}
	if diff := cmp.Diff(wantData, generic.Data); diff != "" {
		t.Errorf("data records (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"request"}, generic.Initial); diff != "" {
		t.Errorf("initial (-want +got):\n%s", diff)
	}
	b, _ := res.Task("build")
	if b.CPUMS != 1.5 || b.PeakRSSBytes != 4096 {
		t.Errorf("build usage %v ms, %d bytes", b.CPUMS, b.PeakRSSBytes)
	}
	if got := []string{res.Record.Tasks[0].Name, res.Record.Tasks[1].Name}; !slices.Equal(got, []string{"build", "install"}) {
		t.Errorf("record not in topological order: %v", got)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
