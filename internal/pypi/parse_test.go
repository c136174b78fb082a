package pypi

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

const (
	bs4Prefix  = "https://files.pythonhosted.org/packages/"
	bs4MetaSHA = "d0aa787c2b55e5b0b3aff66f137cf33341c5e781cb87b4dc184cbb25c7ac0ab5"
)

func TestParseProjectPage(t *testing.T) {
	base := "https://pypi.org/simple/beautifulsoup4/"
	tests := []struct {
		name, file, ctype string
		want              *ProjectPage
	}{
		{
			name: "PEP 691 example", file: "pep691_project_detail.json", ctype: "application/vnd.pypi.simple.v1+json",
			want: &ProjectPage{Name: "holygrail", Format: "json", APIVersion: "1.0", Files: []File{
				{Filename: "holygrail-1.0.tar.gz", URL: "https://example.com/files/holygrail-1.0.tar.gz",
					Hashes: map[string]string{"sha256": "...", "blake2b": "..."}, RequiresPython: ">=3.7",
					Yanked: true, YankedReason: "Had a vulnerability", Size: -1},
				{Filename: "holygrail-1.0-py3-none-any.whl", URL: "https://example.com/files/holygrail-1.0-py3-none-any.whl",
					Hashes: map[string]string{"sha256": "...", "blake2b": "..."}, RequiresPython: ">=3.7",
					CoreMetadata: true, Size: -1},
			}},
		},
		{
			name: "PyPI JSON (PEP 691 + PEP 700), placeholder entries skipped", file: "warehouse_simple_beautifulsoup4.json",
			ctype: "application/vnd.pypi.simple.v1+json",
			want: &ProjectPage{Name: "beautifulsoup4", Format: "json", APIVersion: "1.1",
				Versions: []string{"4.0.1", "4.0.2", "...More versions...", "4.12.3", "4.13.0b2"},
				Files: []File{
					{Filename: "beautifulsoup4-4.0.1.tar.gz", URL: bs4Prefix + "6f/be/99dcf74d947cc1e7abef5d0c4572abcb479c33ef791d94453a8fd7987d8f/beautifulsoup4-4.0.1.tar.gz",
						Hashes: map[string]string{"sha256": "dc6bc8e8851a1c590c8cc8f25915180fdcce116e268d1f37fa991d2686ea38de"},
						Size:   51024, UploadTime: time.Date(2014, 1, 21, 5, 35, 5, 558877000, time.UTC)},
					{Filename: "beautifulsoup4-4.0.2.tar.gz", URL: bs4Prefix + "a0/75/db36172ea767dd2f0c9817a99e24f7e9b79c2ce63eb2f8b867284cc60daf/beautifulsoup4-4.0.2.tar.gz",
						Hashes: map[string]string{"sha256": "353792f8246a9551b232949fb14dce21d9b6ced9207bf9f4a69a4c4eb46c8127"},
						Size:   51240, UploadTime: time.Date(2014, 1, 21, 5, 35, 9, 581933000, time.UTC)},
					{Filename: "beautifulsoup4-4.12.3-py3-none-any.whl", URL: bs4Prefix + "b1/fe/e8c672695b37eecc5cbf43e1d0638d88d66ba3a44c4d321c796f4e59167f/beautifulsoup4-4.12.3-py3-none-any.whl",
						Hashes:         map[string]string{"sha256": "b80878c9f40111313e55da8ba20bdba06d8fa3969fc68304167741bbf9e082ed"},
						RequiresPython: ">=3.6.0", CoreMetadata: true,
						CoreMetadataHashes: map[string]string{"sha256": "524392d64a088e56a4232f50d6edb208dc03105394652acb72c6d5fa64c89f3e"},
						Size:               147925, UploadTime: time.Date(2024, 1, 17, 16, 53, 12, 779164000, time.UTC)},
					{Filename: "beautifulsoup4-4.12.3.tar.gz", URL: bs4Prefix + "b3/ca/824b1195773ce6166d388573fc106ce56d4a805bd7427b624e063596ec58/beautifulsoup4-4.12.3.tar.gz",
						Hashes:         map[string]string{"sha256": "74e3d1928edc070d21748185c46e3fb33490f22f52a3addee9aee0f4f7781051"},
						RequiresPython: ">=3.6.0", Size: 581181, UploadTime: time.Date(2024, 1, 17, 16, 53, 17, 902970000, time.UTC)},
					{Filename: "beautifulsoup4-4.13.0b2-py3-none-any.whl", URL: bs4Prefix + "14/7e/e4313dad823c3a0751c99b9bc0182b1dd19aea164ce7445e9a70429b9e92/beautifulsoup4-4.13.0b2-py3-none-any.whl",
						Hashes:         map[string]string{"sha256": "7e05ad0b6c26108d9990e2235e8a9b4e2c03ead6f391ceb60347f8ebea6b80ba"},
						RequiresPython: ">=3.6.0", CoreMetadata: true, CoreMetadataHashes: map[string]string{"sha256": bs4MetaSHA},
						Size: 179607, UploadTime: time.Date(2024, 3, 20, 13, 0, 33, 355932000, time.UTC)},
					{Filename: "beautifulsoup4-4.13.0b2.tar.gz", URL: bs4Prefix + "81/bd/c97d94e2b96f03d1c50bc9de04130e014eda89322ba604923e0c251eb02e/beautifulsoup4-4.13.0b2.tar.gz",
						Hashes:         map[string]string{"sha256": "c684ddec071aa120819889aa9e8940f85c3f3cdaa08e23b9fa26510387897bd5"},
						RequiresPython: ">=3.6.0", Size: 550258, UploadTime: time.Date(2024, 3, 20, 13, 0, 31, 245327000, time.UTC)},
				}},
		},
		{
			name: "PyPI HTML (PEP 503 + PEP 658/714, escaped requires-python)", file: "warehouse_simple_beautifulsoup4.html",
			ctype: "application/vnd.pypi.simple.v1+html",
			want: &ProjectPage{Format: "html", APIVersion: "1.1", Files: []File{
				{Filename: "beautifulsoup4-4.0.1.tar.gz", URL: bs4Prefix + "6f/be/99dcf74d947cc1e7abef5d0c4572abcb479c33ef791d94453a8fd7987d8f/beautifulsoup4-4.0.1.tar.gz",
					Hashes: map[string]string{"sha256": "dc6bc8e8851a1c590c8cc8f25915180fdcce116e268d1f37fa991d2686ea38de"}, Size: -1},
				{Filename: "beautifulsoup4-4.0.2.tar.gz", URL: bs4Prefix + "a0/75/db36172ea767dd2f0c9817a99e24f7e9b79c2ce63eb2f8b867284cc60daf/beautifulsoup4-4.0.2.tar.gz",
					Hashes: map[string]string{"sha256": "353792f8246a9551b232949fb14dce21d9b6ced9207bf9f4a69a4c4eb46c8127"}, Size: -1},
				{Filename: "beautifulsoup4-4.13.0b2-py3-none-any.whl", URL: bs4Prefix + "14/7e/e4313dad823c3a0751c99b9bc0182b1dd19aea164ce7445e9a70429b9e92/beautifulsoup4-4.13.0b2-py3-none-any.whl",
					Hashes:         map[string]string{"sha256": "7e05ad0b6c26108d9990e2235e8a9b4e2c03ead6f391ceb60347f8ebea6b80ba"},
					RequiresPython: ">=3.6.0", CoreMetadata: true, CoreMetadataHashes: map[string]string{"sha256": bs4MetaSHA}, Size: -1},
				{Filename: "beautifulsoup4-4.13.0b2.tar.gz", URL: bs4Prefix + "81/bd/c97d94e2b96f03d1c50bc9de04130e014eda89322ba604923e0c251eb02e/beautifulsoup4-4.13.0b2.tar.gz",
					Hashes:         map[string]string{"sha256": "c684ddec071aa120819889aa9e8940f85c3f3cdaa08e23b9fa26510387897bd5"},
					RequiresPython: ">=3.6.0", Size: -1},
			}},
		},
		{
			name: "PEP 503 root page: relative links resolved", file: "pep503_root.html", ctype: "text/html",
			want: &ProjectPage{Format: "html", Files: []File{
				{Filename: "frob", URL: "https://pypi.org/frob/", Size: -1},
				{Filename: "spamspamspam", URL: "https://pypi.org/spamspamspam/", Size: -1},
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := parseProjectPage(readTestdata(t, tc.file), tc.ctype, mustURL(t, base))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseHTMLAttributes(t *testing.T) {
	page := `<!DOCTYPE html><html><head><base href="/pkgs/"></head><body>
<a href="demo-1.0.tar.gz#sha256=AAAA" data-yanked="">demo-1.0.tar.gz</a>
<a href="../x/demo-1.1.tar.gz#md5=abcd" data-yanked="broken &lt;b&gt;" data-requires-python="&gt;=3.8,&lt;4">demo-1.1.tar.gz</a>
<a href="https://files.example/demo-1.2-py3-none-any.whl" data-dist-info-metadata="true">demo-1.2-py3-none-any.whl</a>
<a href="https://files.example/demo-1.3-py3-none-any.whl" data-core-metadata="sha256=BEEF" data-dist-info-metadata="sha256=dead">demo-1.3-py3-none-any.whl</a>
<a href="javascript:alert(1)">evil</a>
<a name="no-href">nothing</a>
</body></html>`
	got, notes, err := parseProjectPage([]byte(page), "text/html; charset=utf-8", mustURL(t, "https://idx.example/simple/demo/"))
	if err != nil {
		t.Fatal(err)
	}
	want := []File{
		{Filename: "demo-1.0.tar.gz", URL: "https://idx.example/pkgs/demo-1.0.tar.gz", Hashes: map[string]string{"sha256": "aaaa"}, Yanked: true, Size: -1},
		{Filename: "demo-1.1.tar.gz", URL: "https://idx.example/x/demo-1.1.tar.gz", Hashes: map[string]string{"md5": "abcd"},
			Yanked: true, YankedReason: "broken <b>", RequiresPython: ">=3.8,<4", Size: -1},
		{Filename: "demo-1.2-py3-none-any.whl", URL: "https://files.example/demo-1.2-py3-none-any.whl", CoreMetadata: true, Size: -1},
		{Filename: "demo-1.3-py3-none-any.whl", URL: "https://files.example/demo-1.3-py3-none-any.whl", CoreMetadata: true,
			CoreMetadataHashes: map[string]string{"sha256": "beef"}, Size: -1},
	}
	if diff := cmp.Diff(want, got.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if len(notes) != 1 {
		t.Errorf("want one note about the javascript: link, got %q", notes)
	}
}

func TestParseProjectPageRejects(t *testing.T) {
	tests := []struct{ name, body, ctype string }{
		{"future major JSON API", `{"meta":{"api-version":"2.0"},"name":"x","files":[]}`, mediaJSON},
		{"future major HTML API", `<html><head><meta name="pypi:repository-version" content="2.0"></head></html>`, "text/html"},
		{"broken JSON", `{"meta":`, mediaJSON},
		{"unknown content type", `x`, "application/pdf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := parseProjectPage([]byte(tc.body), tc.ctype, mustURL(t, "https://x.example/simple/x/")); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

func TestParseFilename(t *testing.T) {
	tests := []struct {
		file, project string
		wantKind      string
		wantName      string
		wantVersion   string
		wantErr       bool
	}{
		{"demo_pkg-1.0-py3-none-any.whl", "demo-pkg", KindWheel, "demo-pkg", "1.0", false},
		{"demo_pkg-1.0-1build-cp311-cp311-manylinux_2_17_x86_64.whl", "", KindWheel, "demo-pkg", "1.0", false},
		{"demo-pkg-2.0rc1.tar.gz", "demo-pkg", KindSdist, "demo-pkg", "2.0rc1", false},
		{"Demo.Pkg-2.0.post1.zip", "demo-pkg", KindSdist, "demo-pkg", "2.0.post1", false},
		{"foo-bar-baz-1.2.tar.gz", "", KindSdist, "foo-bar-baz", "1.2", false},
		{"demo-1.0-py2.7.egg", "demo", "", "", "", true},
		{"demo-1.0.win32.exe", "demo", "", "", "", true},
		{"demo-notaversion.tar.gz", "demo", "", "", "", true},
		{"demo-1.0-py3.whl", "demo", "", "", "", true},
		{"README", "demo", "", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, err := ParseFilename(tc.file, tc.project)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("want error, got %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{tc.wantKind, tc.wantName, tc.wantVersion},
				[]string{got.Kind, got.Name, got.Version.String()}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://alice:hunter2@idx.example/simple/", "https://***@idx.example/simple/"},
		{"https://tokenonly@idx.example/simple/", "https://***@idx.example/simple/"},
		{"https://idx.example/simple/?token=abc&page=2", "https://idx.example/simple/?page=2&token=%2A%2A%2A"},
		{"https://idx.example/simple/x/", "https://idx.example/simple/x/"},
		{"ht tp://bob:pw@host/%zz", "ht tp://***@host/%zz"},
	}
	for _, tc := range tests {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseNetrc(t *testing.T) {
	data := `# company index
machine idx.example login alice password "pa ss\"word"
macdef init
cd /pub
ls

machine other.example
  login bob
  password b0b account x
default login anon password guest
`
	got, err := parseNetrc(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []netrcEntry{
		{Machine: "idx.example", Login: "alice", Password: `pa ss"word`},
		{Machine: "other.example", Login: "bob", Password: "b0b"},
		{Login: "anon", Password: "guest"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for host, wantLogin := range map[string]string{"IDX.example": "alice", "other.example": "bob", "nowhere": "anon"} {
		e, ok := netrcLookup(got, host)
		if !ok || e.Login != wantLogin {
			t.Errorf("lookup %s = %+v, %v; want login %s", host, e, ok, wantLogin)
		}
	}
	if _, err := parseNetrc("machine"); err == nil {
		t.Error("want error for a machine without a name")
	}
}

func TestNegotiateFormat(t *testing.T) {
	tests := []struct {
		accept, format string
		want           string
		ok             bool
	}{
		{"", "", "html", true},
		{"*/*", "", "html", true},
		{SimpleAccept, "", "json", true},
		{"application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01", "", "json", true},
		{"application/vnd.pypi.simple.v1+html", "", "html", true},
		{"text/html", "", "html", true},
		{"application/vnd.pypi.simple.latest+json", "", "json", true},
		{"application/json", "", "", false},
		{"text/html", mediaJSON, "json", true},
	}
	for _, tc := range tests {
		got, _, ok := negotiateFormat(tc.accept, tc.format)
		if got != tc.want || ok != tc.ok {
			t.Errorf("negotiateFormat(%q, %q) = %q, %v; want %q, %v", tc.accept, tc.format, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"7", 7 * time.Second}, {"-3", 0}, {"soon", 0}, {"Wed, 21 Oct 2015 07:28:00 GMT", 0},
	}
	for _, tc := range tests {
		if got := retryAfter(tc.in); got != tc.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
