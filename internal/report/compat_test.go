package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestOldReportsDecode reads reports that earlier PYTIs wrote (testdata/v1) with today's types:
// every field must still have a home (no unknown field), and encoding the decoded report again
// must keep every value it had (today it gives the file back byte for byte). Fields added since may appear; none may vanish or change.
func TestOldReportsDecode(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "v1", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no old reports in testdata/v1 (%v)", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			old, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var r Report
			dec := json.NewDecoder(bytes.NewReader(old))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&r); err != nil {
				t.Fatalf("today's report types do not read it: %v", err)
			}
			if r.Schema != SchemaV1 || !Readable(r.Schema) {
				t.Errorf("schema %q, want %q, a readable one", r.Schema, SchemaV1)
			}
			var before, after any
			if err := json.Unmarshal(old, &before); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(encode(t, &r), &after); err != nil {
				t.Fatal(err)
			}
			for _, l := range lost("", before, after) {
				t.Error(l)
			}
		})
	}
}

// lost lists what of old is not in now: a missing key, a changed value, an array of another
// length. Keys only now has are additions, which v1 allows.
func lost(path string, old, now any) []string {
	switch o := old.(type) {
	case map[string]any:
		n, ok := now.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: was an object, now %T", path, now)}
		}
		var out []string
		for k, v := range o {
			nv, ok := n[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: lost (was %v)", path, k, v))
				continue
			}
			out = append(out, lost(path+"."+k, v, nv)...)
		}
		return out
	case []any:
		n, ok := now.([]any)
		if !ok || len(n) != len(o) {
			return []string{fmt.Sprintf("%s: was an array of %d, now %v", path, len(o), now)}
		}
		var out []string
		for i := range o {
			out = append(out, lost(fmt.Sprintf("%s[%d]", path, i), o[i], n[i])...)
		}
		return out
	default:
		if !reflect.DeepEqual(old, now) {
			return []string{fmt.Sprintf("%s: was %v, now %v", path, old, now)}
		}
		return nil
	}
}

func TestLost(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, now string
		want     int
	}{
		{"same", `{"a":[1,{"b":"x"}]}`, `{"a":[1,{"b":"x"}]}`, 0},
		{"added", `{"a":1}`, `{"a":1,"b":2}`, 0},
		{"dropped", `{"a":1,"b":2}`, `{"a":1}`, 1},
		{"changed", `{"a":{"b":"x"}}`, `{"a":{"b":"y"}}`, 1},
		{"shorter", `{"a":[1,2]}`, `{"a":[1]}`, 1},
		{"retyped", `{"a":{"b":1}}`, `{"a":[1]}`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o, n any
			if err := json.Unmarshal([]byte(tc.old), &o); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tc.now), &n); err != nil {
				t.Fatal(err)
			}
			if got := lost("", o, n); len(got) != tc.want {
				t.Errorf("lost %v, want %d", got, tc.want)
			}
		})
	}
}
