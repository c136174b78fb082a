package cluster

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitHostPort(t *testing.T) {
	tests := []struct {
		addr     string
		wantHost string
		wantPort int
		wantErr  bool
	}{
		{"127.0.0.1:4222", "127.0.0.1", 4222, false},
		{"127.0.0.1:0", "127.0.0.1", -1, false}, // a free port
		{"[::1]:4222", "::1", 4222, false},
		{"127.0.0.1", "", 0, true},
		{"127.0.0.1:nats", "", 0, true},
	}
	for _, tc := range tests {
		host, port, err := splitHostPort(tc.addr)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: err = %v, want an error: %v", tc.addr, err, tc.wantErr)
			continue
		}
		if d := cmp.Diff([]any{tc.wantHost, tc.wantPort}, []any{host, port}); d != "" && !tc.wantErr {
			t.Errorf("%q: (-want +got)\n%s", tc.addr, d)
		}
	}
}

// TestTokensAreCreatedOnceAndPrivate: a token file is created with mode 0600 the first time and
// read back afterwards; an empty file gets a new token.
func TestTokensAreCreatedOnceAndPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "worker.token")
	first, err := loadOrCreateToken(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	again, err := loadOrCreateToken(path)
	if err != nil {
		t.Fatal(err)
	}
	if again != first || len(first) != 48 {
		t.Errorf("tokens %q then %q: want the same 48 hex digits", first, again)
	}
	if err := os.WriteFile(path, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	renewed, err := loadOrCreateToken(path)
	if err != nil {
		t.Fatal(err)
	}
	if renewed == "" || renewed == first {
		t.Errorf("an empty token file gave %q", renewed)
	}
}
