package master

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRegistryKeepsCredentialsAndRevocations: a worker's credential outlives a master restart (only
// its hash is written), a revocation too, and a live worker's name cannot be taken.
func TestRegistryKeepsCredentialsAndRevocations(t *testing.T) {
	file := filepath.Join(t.TempDir(), "workers.json")
	r, err := newRegistry(time.Minute, file)
	if err != nil {
		t.Fatal(err)
	}
	tokA, _, err := r.register("a", "host", "1")
	if err != nil {
		t.Fatal(err)
	}
	tokB, _, err := r.register("b", "host", "1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.register("a", "elsewhere", "1"); !errors.Is(err, errNameTaken) {
		t.Errorf("registering a live worker's name: %v", err)
	}
	if _, err := r.revoke("b"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), tokA) || strings.Contains(string(data), tokB) {
		t.Error("the file holds a token, not its hash")
	}

	again, err := newRegistry(time.Minute, file)
	if err != nil {
		t.Fatal(err)
	}
	if name, ok := again.authenticate(tokA); !ok || name != "a" {
		t.Errorf("after a restart a's token is %q %v", name, ok)
	}
	if _, ok := again.authenticate(tokB); ok {
		t.Error("after a restart the revoked token works")
	}
	if _, _, err := again.register("b", "host", "1"); !errors.Is(err, errRevoked) {
		t.Errorf("registering a revoked name after a restart: %v", err)
	}
	if got := again.list(); len(got) != 0 {
		t.Errorf("workers not heard from since the restart are listed: %+v", got)
	}
	again.seen("a")
	if got := again.list(); len(got) != 1 || got[0].Name != "a" {
		t.Errorf("after a heartbeat the list is %+v", got)
	}
}
