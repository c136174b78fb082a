package pkgmeta

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDistFilename(t *testing.T) {
	tests := []struct {
		in      string
		want    DistFilename
		wantErr bool
	}{
		{in: "pip-23.0.1-py3-none-any.whl", want: DistFilename{Filename: "pip-23.0.1-py3-none-any.whl", Kind: KindWheel, Extension: ".whl", Name: "pip", Version: "23.0.1", PythonTags: []string{"py3"}, ABITags: []string{"none"}, PlatformTags: []string{"any"}}},
		{in: "/usr/share/python-wheels/six-1.16.0-py2.py3-none-any.whl", want: DistFilename{Filename: "six-1.16.0-py2.py3-none-any.whl", Kind: KindWheel, Extension: ".whl", Name: "six", Version: "1.16.0", PythonTags: []string{"py2", "py3"}, ABITags: []string{"none"}, PlatformTags: []string{"any"}}},
		{in: "numpy-1.26.4-1build-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", want: DistFilename{Filename: "numpy-1.26.4-1build-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", Kind: KindWheel, Extension: ".whl", Name: "numpy", Version: "1.26.4", BuildTag: "1build", PythonTags: []string{"cp311"}, ABITags: []string{"cp311"}, PlatformTags: []string{"manylinux_2_17_x86_64", "manylinux2014_x86_64"}}},
		{in: "zope.interface-6.0.tar.gz", want: DistFilename{Filename: "zope.interface-6.0.tar.gz", Kind: KindSdist, Extension: ".tar.gz", Name: "zope.interface", Version: "6.0"}},
		{in: "python-dateutil-2.8.2.tar.gz", want: DistFilename{Filename: "python-dateutil-2.8.2.tar.gz", Kind: KindSdist, Extension: ".tar.gz", Name: "python-dateutil", Version: "2.8.2"}},
		{in: "Django-1.11.ZIP", want: DistFilename{Filename: "Django-1.11.ZIP", Kind: KindSdist, Extension: ".ZIP", Name: "Django", Version: "1.11"}},
		{in: "foo-1.0-1.tar.gz", want: DistFilename{Filename: "foo-1.0-1.tar.gz", Kind: KindSdist, Extension: ".tar.gz", Name: "foo-1.0", Version: "1"}},
		{in: "foo-1.0-py3-none-any.whl.bad", wantErr: true},
		{in: "foo-1.0-py3-any.whl", wantErr: true},
		{in: "foo-1.0-x-py3-none-any.whl", wantErr: true},
		{in: "foo-one-py3-none-any.whl", wantErr: true},
		{in: "foo-1.0-py3-none-.whl", wantErr: true},
		{in: "foo.tar.gz", wantErr: true},
		{in: "foo-bar.tar.gz", wantErr: true},
		{in: "-1.0.tar.gz", wantErr: true},
		{in: "foo-1.0-py3.7.egg", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDistFilename(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
