package worker

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestPermanent(t *testing.T) {
	base := errors.New("image sid is not built")
	tests := []struct {
		name      string
		err       error
		permanent bool
	}{
		{"nil", nil, false},
		{"plain", base, false},
		{"marked", Permanent(base), true},
		{"marked, then wrapped", fmt.Errorf("job 1: %w", Permanent(base)), true},
		{"wrapped, then marked", Permanent(fmt.Errorf("job 1: %w", fs.ErrNotExist)), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsPermanent(tc.err); got != tc.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", tc.err, got, tc.permanent)
			}
		})
	}
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) is not nil")
	}
	if err := Permanent(fmt.Errorf("x: %w", fs.ErrNotExist)); !errors.Is(err, fs.ErrNotExist) || err.Error() != "x: file does not exist" {
		t.Errorf("Permanent changes the error: %v", err)
	}
}
