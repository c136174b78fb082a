package archive

import (
	"context"
	"path/filepath"
	"testing"
)

func TestDetectFormat(t *testing.T) {
	tarData := func(t *testing.T) []byte { return tarBytes(t, []tarEntry{{Name: "a-1.0/PKG-INFO", Body: "Name: a"}}) }
	zipData := func(t *testing.T) []byte { return zipBytes(t, []zipEntry{{Name: "a-1.0/PKG-INFO", Body: "Name: a"}}) }
	for _, tc := range []struct {
		file    string
		data    func(t *testing.T) []byte
		want    Format
		verdict Refusal
	}{
		{"a-1.0.tar.gz", func(t *testing.T) []byte { return gz(t, tarData(t)) }, Format{Sdist, TarGz}, ""},
		{"A-1.0.TGZ", func(t *testing.T) []byte { return gz(t, tarData(t)) }, Format{Sdist, TarGz}, ""},
		{"a-1.0.tar.bz2", func(t *testing.T) []byte { return bz2(t, tarData(t)) }, Format{Sdist, TarBz2}, ""},
		{"a-1.0.tar", tarData, Format{Sdist, Tar}, ""},
		{"a-1.0.zip", zipData, Format{Sdist, Zip}, ""},
		{"a-1.0-py3-none-any.whl", zipData, Format{Wheel, Zip}, ""},
		{"download", func(t *testing.T) []byte { return gz(t, tarData(t)) }, Format{UnknownDist, TarGz}, ""},
		// The name alone decides nothing.
		{"a-1.0.tar.gz", zipData, Format{}, MalformedArchive},
		{"a-1.0-py3-none-any.whl", func(t *testing.T) []byte { return gz(t, tarData(t)) }, Format{}, MalformedArchive},
		{"a-1.0.tar", func(t *testing.T) []byte { return gz(t, tarData(t)) }, Format{}, MalformedArchive},
		{"a-1.0.tar.xz", tarData, Format{}, MalformedArchive},
		{"a-1.0.tar.gz", func(*testing.T) []byte { return []byte("#!/bin/sh\nrm -rf /\n") }, Format{}, MalformedArchive},
		{"a-1.0.tar.gz", func(*testing.T) []byte { return nil }, Format{}, MalformedArchive},
		// gzip content that is not a tar.
		{"a-1.0.tar.gz", func(t *testing.T) []byte { return gz(t, []byte("not a tar at all, just text")) }, Format{Sdist, TarGz}, MalformedArchive},
	} {
		t.Run(tc.file, func(t *testing.T) {
			j := newJail(t)
			p := j.archive(tc.file)
			writeFile(t, p, tc.data(t))
			inv, err := j.extract(t, p, Limits{})
			if RefusalOf(err) != tc.verdict {
				t.Fatalf("got %v, want verdict %q", err, tc.verdict)
			}
			if err == nil && inv.Format != tc.want {
				t.Errorf("format %+v, want %+v", inv.Format, tc.want)
			}
		})
	}
}

func TestLimitsDefaults(t *testing.T) {
	got := Limits{MaxEntries: 7}.withDefaults()
	want := DefaultLimits()
	want.MaxEntries = 7
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestNamePredicates(t *testing.T) {
	for _, tc := range []struct {
		name             string
		meta, rec, pkgin bool
	}{
		{"pip-23.0.dist-info/METADATA", true, false, false},
		{"pip-23.0.dist-info/RECORD", false, true, false},
		{".dist-info/METADATA", false, false, false},
		{"x/y.dist-info/METADATA", false, false, false},
		{"demo-1.0/PKG-INFO", false, false, true},
		{"demo-1.0/sub/PKG-INFO", false, false, false},
		{"PKG-INFO", false, false, false},
	} {
		if IsWheelMetadata(tc.name) != tc.meta || IsWheelRecord(tc.name) != tc.rec || IsSdistPKGInfo(tc.name) != tc.pkgin {
			t.Errorf("%s: predicates disagree with %+v", tc.name, tc)
		}
	}
}

func TestEmptyArchives(t *testing.T) {
	for _, tc := range []struct {
		file string
		data func(t *testing.T) []byte
	}{
		{"empty-1.0.tar.gz", func(t *testing.T) []byte { return gz(t, tarBytes(t, nil)) }},
		{"empty-1.0.zip", func(t *testing.T) []byte { return zipBytes(t, nil) }},
	} {
		t.Run(tc.file, func(t *testing.T) {
			j := newJail(t)
			p := filepath.Join(j.base, "archives", tc.file)
			writeFile(t, p, tc.data(t))
			inv, err := j.extract(t, p, Limits{})
			if err != nil || inv.TotalEntries != 0 {
				t.Fatalf("%v %+v", err, inv)
			}
			if _, _, err := ReadMember(context.Background(), p, Limits{}, IsSdistPKGInfo, 10); err != ErrNotFound {
				t.Errorf("ReadMember: %v", err)
			}
		})
	}
}
