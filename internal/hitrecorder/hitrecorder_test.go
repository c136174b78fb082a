package hitrecorder

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRecordsPathsAndCredentials(t *testing.T) {
	rec := New(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	tests := []struct {
		path string
		auth bool
	}{{"/a", false}, {"/b", true}}
	for _, tc := range tests {
		req, err := http.NewRequest(http.MethodGet, rec.URL+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tc.auth {
			req.SetBasicAuth("u", "p")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if diff := cmp.Diff([]string{"/a auth=no", "/b auth=yes"}, rec.Got()); diff != "" {
		t.Errorf("hits (-want +got):\n%s", diff)
	}
}
