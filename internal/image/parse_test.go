package image

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const dpkgStatus = `Package: libc6
Status: install ok installed
Priority: optional
Version: 2.36-9+deb12u10
Description: GNU C Library
 multi-line: description
 Package: not-a-package

Package: python3.11
Status: install ok installed
Version: 3.11.2-6+deb12u6

Package: removed-one
Status: deinstall ok config-files
Version: 1.0

Package: python3
Status: install ok installed
Version: 3.11.2-1+b1
`

func TestInstalledPackages(t *testing.T) {
	got, err := installedPackages(strings.NewReader(dpkgStatus))
	if err != nil {
		t.Fatal(err)
	}
	want := []Package{{"libc6", "2.36-9+deb12u10"}, {"python3", "3.11.2-1+b1"}, {"python3.11", "3.11.2-6+deb12u6"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("packages (-want +got)\n%s", d)
	}
}

func TestPythonVersion(t *testing.T) {
	tests := []struct {
		name    string
		pkgs    []Package
		want    string
		wantErr bool
	}{
		{"bookworm", []Package{{"python3", "3.11.2-1+b1"}, {"python3.11", "3.11.2-6+deb12u6"}}, "3.11.2", false},
		{"epoch", []Package{{"python3.13", "1:3.13.5-2"}}, "3.13.5", false},
		{"wrong minor", []Package{{"python3.12", "3.12.1-1"}}, "", true},
		{"3.1 is not 3.11", []Package{{"python3.1", "3.1.5-1"}}, "", true},
		{"none", []Package{{"python3-minimal", "3.11.2-1"}}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := "3.11"
			if tt.name == "epoch" {
				want = "3.13"
			}
			got, err := pythonVersion(tt.pkgs, want)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("pythonVersion = %q, %v; want %q (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestMirrorFromSources(t *testing.T) {
	deb822 := `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
`
	tests := []struct {
		name, text string
		list       bool
		want       string
	}{
		{"deb822", deb822, false, "http://deb.debian.org/debian"},
		{"deb822 security only", "Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\n", false, ""},
		{"deb822 disabled", "Types: deb\nEnabled: no\nURIs: http://mirror.example/debian/\n", false, ""},
		{"deb822 src only", "Types: deb-src\nURIs: http://mirror.example/debian/\n", false, ""},
		{"list", "# comment\ndeb http://ftp.de.debian.org/debian/ bookworm main\n", true, "http://ftp.de.debian.org/debian"},
		{"list with options", "deb [arch=amd64 signed-by=/k.gpg] https://mirror.example/debian bookworm main\n", true, "https://mirror.example/debian"},
		{"list third party", "deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n", true, ""},
		{"list commented", "#deb http://ftp.de.debian.org/debian bookworm main\n", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			if tt.list {
				got = mirrorFromList(tt.text)
			} else {
				got = mirrorFromDeb822(tt.text)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
