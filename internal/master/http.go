package master

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/pyti/pyti/internal/store"
)

// bearer returns the request's bearer token, "" when it has none.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func sameToken(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// apiError is the body of every refusal; Rule names the policy rule a refused job broke.
type apiError struct {
	Error string `json:"error"`
	Rule  string `json:"rule,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, format string, a ...any) {
	writeJSON(w, status, apiError{Error: fmt.Sprintf(format, a...)})
}

// writeStoreError maps an error of the store or the master to a status.
func writeStoreError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, errNotHeld):
		status = http.StatusForbidden
	case errors.Is(err, errUploadAgain):
		status = http.StatusPreconditionRequired
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrNoAttempt):
		status = http.StatusNotFound
	case errors.Is(err, store.ErrInvalid):
		status = http.StatusBadRequest
	case errors.Is(err, store.ErrJobFinished), errors.Is(err, store.ErrStaleAttempt):
		status = http.StatusConflict
	}
	writeError(w, status, "%v", err)
}

// readJSON decodes a bounded JSON body, refusing unknown fields.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "reading the request body: %v", err)
		return false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "reading the request body: trailing data")
		return false
	}
	return true
}
