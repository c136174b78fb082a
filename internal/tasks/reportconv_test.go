package tasks

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/quality"
	"github.com/pyti/pyti/internal/testresult"
)

// filled sets every field of v, however deep, to a value that is not zero, so that a
// conversion that drops a field shows.
func filled(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("s-" + v.Type().Name())
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	case reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		filled(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		filled(v.Index(0))
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		filled(k)
		filled(e)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 3, 1, 12, 0, 0, 5, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				filled(v.Field(i))
			}
		}
	}
}

// TestReportConversions: what the pipeline's packages produce reaches the report whole. The
// report's types have the same JSON as theirs, field for field.
func TestReportConversions(t *testing.T) {
	var rec dag.Record
	var run testresult.Run
	var q quality.Report
	var skips []testresult.ReasonCount
	for _, p := range []any{&rec, &run, &q, &skips} {
		filled(reflect.ValueOf(p).Elem())
	}
	for _, tc := range []struct {
		name      string
		from, got any
	}{
		{"task graph", rec, reportRun(rec)},
		{"test run", &run, reportTests(&run)},
		{"skip reasons", skips, reportSkips(skips)},
		{"lint", q, reportQuality(q)},
		{"no test run", (*testresult.Run)(nil), reportTests(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := json.Marshal(tc.from)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(tc.got)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("the report's copy differs (-produced +report):\n%s", d)
			}
		})
	}
}
