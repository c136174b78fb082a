package pypi

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"sort"
)

// hashAlgos are the hashlib names PYTI can check, strongest first.
var hashAlgos = []struct {
	name string
	size int
	new  func() hash.Hash
}{
	{"sha512", sha512.Size, sha512.New},
	{"sha384", sha512.Size384, sha512.New384},
	{"sha256", sha256.Size, sha256.New},
	{"sha224", sha256.Size224, sha256.New224},
	{"sha1", sha1.Size, sha1.New},
	{"md5", md5.Size, md5.New},
}

// verifier hashes a stream with sha256 (always: the cache key) and with
// every other algorithm the index gave a well-formed digest for.
type verifier struct {
	want    map[string]string
	hashers map[string]hash.Hash
	w       io.Writer
}

func newVerifier(want map[string]string) *verifier {
	v := &verifier{want: map[string]string{}, hashers: map[string]hash.Hash{"sha256": sha256.New()}}
	for _, a := range hashAlgos {
		d, ok := want[a.name]
		if !ok || !isHex(d, 2*a.size) {
			continue
		}
		v.want[a.name] = d
		if _, have := v.hashers[a.name]; !have {
			v.hashers[a.name] = a.new()
		}
	}
	ws := make([]io.Writer, 0, len(v.hashers))
	for _, h := range v.hashers {
		ws = append(ws, h)
	}
	v.w = io.MultiWriter(ws...)
	return v
}

func (v *verifier) Write(p []byte) (int, error) { return v.w.Write(p) }

// checked reports whether at least one digest from the index is checked.
func (v *verifier) checked() bool { return len(v.want) > 0 }

// sha256 returns the hex sha256 of what was written.
func (v *verifier) sha256() string { return hex.EncodeToString(v.hashers["sha256"].Sum(nil)) }

// verify compares every checkable digest; what names the data for errors.
func (v *verifier) verify(what string) error {
	names := make([]string, 0, len(v.want))
	for n := range v.want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		got := hex.EncodeToString(v.hashers[n].Sum(nil))
		if got != v.want[n] {
			return fmt.Errorf("%w: %s: index says %s:%s, got %s:%s", ErrHashMismatch, what, n, v.want[n], n, got)
		}
	}
	return nil
}
