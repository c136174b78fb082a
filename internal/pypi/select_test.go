package pypi

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/pep440"
)

func selectPage() *ProjectPage {
	f := func(name string) File { return File{Filename: name, URL: "https://f.example/" + name, Size: -1} }
	yanked := func(name, reason string) File {
		x := f(name)
		x.Yanked, x.YankedReason = true, reason
		return x
	}
	return &ProjectPage{Name: "demo-pkg", Files: []File{
		f("demo_pkg-0.9-py3-none-any.whl"),
		f("demo-pkg-1.0.tar.gz"),
		f("demo-pkg-1.0.zip"),
		f("demo_pkg-1.0-py3-none-any.whl"),
		f("demo_pkg-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
		yanked("demo-pkg-1.1.tar.gz", "broken build"),
		yanked("demo_pkg-1.1-py3-none-any.whl", ""),
		f("demo_pkg-2.0b1-py3-none-any.whl"),
		f("demo-pkg-3.0-py2.7.egg"),
		f("demo-pkg-3.0.win32.exe"),
		f("demo-pkg-latest.tar.gz"),
	}}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		spec        string
		pre         bool
		wantVersion string
		wantSdist   string
		wantWheels  []string
		wantYanked  string // reason, "-" for not yanked
		wantErr     error
		wantInErr   []string
	}{
		{spec: "", wantVersion: "1.0", wantSdist: "demo-pkg-1.0.tar.gz",
			wantWheels: []string{"demo_pkg-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", "demo_pkg-1.0-py3-none-any.whl"}, wantYanked: "-"},
		{spec: "", pre: true, wantVersion: "2.0b1", wantWheels: []string{"demo_pkg-2.0b1-py3-none-any.whl"}, wantYanked: "-"},
		{spec: "<1.0", wantVersion: "0.9", wantWheels: []string{"demo_pkg-0.9-py3-none-any.whl"}, wantYanked: "-"},
		// Only a pre-release matches: PEP 440 lets it in.
		{spec: ">1.0", wantVersion: "2.0b1", wantWheels: []string{"demo_pkg-2.0b1-py3-none-any.whl"}, wantYanked: "-"},
		// Pinned with == : the yanked release is chosen (PEP 592).
		{spec: "==1.1", wantVersion: "1.1", wantSdist: "demo-pkg-1.1.tar.gz",
			wantWheels: []string{"demo_pkg-1.1-py3-none-any.whl"}, wantYanked: "broken build"},
		{spec: "===1.1", wantVersion: "1.1", wantSdist: "demo-pkg-1.1.tar.gz",
			wantWheels: []string{"demo_pkg-1.1-py3-none-any.whl"}, wantYanked: "broken build"},
		// Not pinned: yanked 1.1 is skipped.
		{spec: ">=1.1,<2", wantErr: ErrNoSuchVersion, wantInErr: []string{"1.0", "yanked releases that match: 1.1"}},
		{spec: "==1.1.*", wantErr: ErrNoSuchVersion, wantInErr: []string{"yanked releases that match: 1.1"}},
		{spec: ">=5", wantErr: ErrNoSuchVersion, wantInErr: []string{"demo-pkg >=5", "nearest available: 1.0, 2.0b1"}},
		{spec: "==0.5", wantErr: ErrNoSuchVersion, wantInErr: []string{"nearest available: 0.9, 1.0"}},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			spec, err := pep440.ParseSpecifiers(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			rel, err := Select(selectPage(), spec, tc.pre)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				for _, s := range tc.wantInErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q lacks %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sdist := ""
			if rel.Sdist != nil {
				sdist = rel.Sdist.Filename
			}
			var wheels []string
			for _, w := range rel.Wheels {
				wheels = append(wheels, w.Filename)
			}
			yanked := "-"
			if rel.Yanked {
				yanked = rel.YankedReason
			}
			got := []any{rel.VersionString, sdist, wheels, yanked}
			want := []any{tc.wantVersion, tc.wantSdist, tc.wantWheels, tc.wantYanked}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSelectNoUsableFiles(t *testing.T) {
	page := &ProjectPage{Name: "old", Files: []File{{Filename: "old-1.0-py2.4.egg"}, {Filename: "old-1.0.win32.exe"}}}
	if _, err := Select(page, nil, false); !errors.Is(err, ErrNoMatchingFile) {
		t.Fatalf("err = %v, want ErrNoMatchingFile", err)
	}
}

func TestClassifyAddr(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"127.0.0.1", "loopback address"},
		{"127.8.9.10", "loopback address"},
		{"::1", "loopback address"},
		{"::ffff:127.0.0.1", "loopback address"},
		{"10.1.2.3", "private address"},
		{"172.16.0.1", "private address"},
		{"172.31.255.255", "private address"},
		{"172.32.0.1", ""},
		{"192.168.1.1", "private address"},
		{"fd12::1", "private (unique local) address"},
		{"169.254.169.254", "cloud metadata address"},
		{"169.254.1.1", "link-local address"},
		{"fe80::1", "link-local address"},
		{"0.0.0.0", "unspecified (\"this network\") address"},
		{"::", "unspecified address"},
		{"100.64.0.1", "carrier-grade NAT address"},
		{"100.127.255.255", "carrier-grade NAT address"},
		{"100.128.0.1", ""},
		{"151.101.0.223", ""},
		{"2a04:4e42::223", ""},
	}
	for _, tc := range tests {
		if got := classifyAddr(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("classifyAddr(%s) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}
