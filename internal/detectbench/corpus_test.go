package detectbench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseManifest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		want    []ManifestRow
		wantErr string
	}{
		{
			name: "rows after the header",
			in: "path\tsha1\tyear\tpayload_location_guess\ttechnique_guess\n" +
				"a/1.0/a-1.0.tar.gz\tabc\t2024\tsetup.py\tprocess\r\n\n" +
				"b/2/b-2-py3-none-any.whl\tdef\t2020\tnone\tother\n",
			want: []ManifestRow{
				{Path: "a/1.0/a-1.0.tar.gz", SHA1: "abc", Year: "2024", Location: "setup.py", Technique: "process"},
				{Path: "b/2/b-2-py3-none-any.whl", SHA1: "def", Year: "2020", Location: "none", Technique: "other"},
			},
		},
		{name: "short row", in: "h\nx\ty\n", wantErr: "2 columns"},
		{name: "path leaving the folder", in: "h\n../../etc/passwd\ta\tb\tc\td\n", wantErr: "unsafe path"},
		{name: "absolute path", in: "h\n/etc/passwd\ta\tb\tc\td\n", wantErr: "unsafe path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseManifest(strings.NewReader(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parseManifest (-want +got):\n%s", diff)
			}
			if got[1].HasPayload() || !got[0].HasPayload() {
				t.Errorf("HasPayload: none rows carry no located payload")
			}
		})
	}
}

func TestReadPackageList(t *testing.T) {
	p := filepath.Join(t.TempDir(), "list.txt")
	if err := os.WriteFile(p, []byte("# comment\npython3-six\n\n  python3-idna  # trailing\npython3-six\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPackageList(p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"python3-six", "python3-idna"}, got); diff != "" {
		t.Errorf("ReadPackageList (-want +got):\n%s", diff)
	}
}

// TestBenignListIsInstallable checks the benchmark's own list: Debian package names only.
func TestBenignListIsInstallable(t *testing.T) {
	got, err := ReadPackageList("../../testdata/detect/debian-benign.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 100 {
		t.Errorf("the benign Debian set has %d packages; issue 13 asks for at least 100 benign projects", len(got))
	}
	for _, p := range got {
		if !strings.HasPrefix(p, "python3-") || strings.ContainsAny(p, " \t/") {
			t.Errorf("%q is not a python3-* Debian package name", p)
		}
	}
}
