package pep440

import (
	"strings"
	"testing"
)

// TestHugeInputs feeds megabyte-sized hostile strings to every parser:
// they must return (an error or a result) without panicking, and the
// linear-time parsers must stay usable at this size.
func TestHugeInputs(t *testing.T) {
	big := strings.Repeat("1.", 500000) + "0"
	if _, err := Parse(big); err != nil {
		t.Logf("Parse of a 1 MB release: %v", err)
	}
	if _, err := Parse(strings.Repeat("a", 1<<20)); err == nil {
		t.Error("Parse of 1 MB of letters succeeded")
	}
	clauses := make([]string, 50000)
	for i := range clauses {
		clauses[i] = ">=1" + strings.Repeat(".0", i%7)
	}
	set, err := ParseSpecifiers(strings.Join(clauses, ","))
	if err != nil || len(set) != 1 {
		t.Errorf("50000 equal clauses: %d clauses, %v; want 1", len(set), err)
	}
	r, err := ParseRequirement("x " + strings.Join(clauses, ","))
	if err != nil || len(r.Specifier) != 1 {
		t.Errorf("requirement with 50000 equal clauses: %v, %v", r.Specifier, err)
	}
	extras := strings.Repeat("a,", 100000) + "b"
	r, err = ParseRequirement("x[" + extras + "]")
	if err != nil || len(r.Extras) != 2 {
		t.Errorf("requirement with 100001 extras: %v, %v", r.Extras, err)
	}
	m := strings.Repeat("os_name == 'a' or ", 50000) + "os_name == 'b'"
	marker, err := ParseMarker(m)
	if err != nil {
		t.Fatalf("ParseMarker of a long disjunction: %v", err)
	}
	if ok, err := marker.Evaluate(Environment{"os_name": "b"}); !ok || err != nil {
		t.Errorf("long disjunction = %v, %v; want true", ok, err)
	}
	for _, s := range []string{"x @ " + strings.Repeat("h", 1<<20), "x; os_name == '" + strings.Repeat("'", 1<<20),
		strings.Repeat("x", 1<<20) + ">=1", "x" + strings.Repeat(" ", 1<<20) + ">=1"} {
		_, _ = ParseRequirement(s)
	}
}

func TestErrorsDoNotRepeatHugeInput(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	errs := []error{}
	_, err := Parse(huge)
	errs = append(errs, err)
	_, err = ParseSpecifier(">=" + huge)
	errs = append(errs, err)
	_, err = ParseMarker("os_name == '" + huge)
	errs = append(errs, err)
	_, err = ParseRequirement("x; " + huge)
	errs = append(errs, err)
	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
		} else if len(err.Error()) > 1000 {
			t.Errorf("case %d: error is %d bytes long", i, len(err.Error()))
		}
	}
}
