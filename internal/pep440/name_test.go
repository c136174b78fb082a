package pep440

import "testing"

func TestNormalizeName(t *testing.T) {
	// PEP 503's examples all normalise to "friendly-bard".
	for _, in := range []string{
		"friendly-bard", "Friendly-Bard", "FRIENDLY-BARD", "friendly.bard", "friendly_bard",
		"friendly--bard", "FrIeNdLy-._.-bArD",
	} {
		if got := NormalizeName(in); got != "friendly-bard" {
			t.Errorf("NormalizeName(%q) = %q, want friendly-bard", in, got)
		}
	}
	for in, want := range map[string]string{
		"Django": "django", "zope.interface": "zope-interface", "S_P__A_M": "s-p-a-m", "a": "a", "": "",
	} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidName(t *testing.T) {
	for _, ok := range []string{"A", "aa", "name", "A.B-C_D", "foo-bar.quux_baz", "0", "z9"} {
		if !ValidName(ok) {
			t.Errorf("ValidName(%q) = false, want true", ok)
		}
	}
	for _, bad := range []string{"", "-a", "a-", "a.", "_a", "foo!", "a b", "fo\u017fo", "\u212aelvin", "é"} {
		if ValidName(bad) {
			t.Errorf("ValidName(%q) = true, want false", bad)
		}
	}
}
