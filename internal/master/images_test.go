package master_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/worker"
)

func TestCheckImages(t *testing.T) {
	many := make([]string, master.MaxImages+1)
	for i := range many {
		many[i] = fmt.Sprintf("img%d", i)
	}
	tests := []struct {
		name    string
		images  []string
		wantErr string // "" when accepted
	}{
		{"none", nil, ""},
		{"one", []string{"trixie"}, ""},
		{"matrix with the host", []string{"bookworm", "host", "trixie-3.13"}, ""},
		{"as many as allowed", many[:master.MaxImages], ""},
		{"too many", many, "at most 16"},
		{"empty name", []string{""}, "invalid image name"},
		{"upper case", []string{"Trixie"}, "invalid image name"},
		{"a path", []string{"../etc"}, "invalid image name"},
		{"a slash", []string{"a/b"}, "invalid image name"},
		{"control character", []string{"tri\nxie"}, "invalid image name"},
		{"twice", []string{"trixie", "bookworm", "trixie"}, `image "trixie" named twice`},
		{"host twice", []string{"host", "host"}, `image "host" named twice`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := master.CheckImages(tc.images)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && !strings.Contains(got, tc.wantErr) {
				t.Errorf("CheckImages(%q) = %v, want an error containing %q", tc.images, err, tc.wantErr)
			}
		})
	}
}

// TestImagesTravelWithTheJob submits jobs with images through the Command API and checks that
// the store keeps them and the worker receives them with the job; bad names are refused.
func TestImagesTravelWithTheJob(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for _, images := range [][]string{{"Bad"}, {"trixie", "trixie"}, {"../x"}} {
		req := master.SubmitRequest{Jobs: []store.NewJob{{Spec: "ok==1"}, {Spec: "pkg==1", Images: images}}}
		if code := h.call("POST", master.CommandPrefix+"jobs", commandToken, req, nil); code != http.StatusBadRequest {
			t.Errorf("submit with images %q: %d, want 400", images, code)
		}
	}
	if _, err := h.m.Submit(h.ctx, []store.NewJob{{Spec: "pkg==1", Images: []string{"Bad"}}}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Submit with a bad image name: %v, want store.ErrInvalid", err)
	}
	if page, err := h.st.Jobs(h.ctx, store.JobQuery{}); err != nil || len(page.Jobs) != 0 {
		t.Fatalf("refused submissions created jobs: %+v %v", page.Jobs, err)
	}

	want := map[string][]string{"none==1": nil, "one==1": {"trixie"}, "matrix==1": {"trixie", "host", "bookworm"}}
	req := master.SubmitRequest{}
	for spec, images := range want {
		req.Jobs = append(req.Jobs, store.NewJob{Spec: spec, Images: images})
	}
	var resp master.SubmitResponse
	if code := h.call("POST", master.CommandPrefix+"jobs", commandToken, req, &resp); code != http.StatusCreated {
		t.Fatalf("submit: %d", code)
	}
	got := make(chan worker.Job, len(want))
	run := fakeAnalysis(report.VerdictPassed, 0)
	h.startWorker("w", func(ctx context.Context, job worker.Job, dir string) (*report.Report, error) {
		got <- job
		return run(ctx, job, dir)
	})
	for _, j := range h.waitTerminal(resp.Jobs) {
		if diff := cmp.Diff(want[j.Spec], j.Images); diff != "" || j.State != store.JobDone {
			t.Errorf("job %s: %s, images (-submitted +stored):\n%s", j.Spec, j.State, diff)
		}
	}
	close(got)
	ran := map[string][]string{}
	for j := range got {
		ran[j.Spec] = j.Images
	}
	if diff := cmp.Diff(want, ran); diff != "" {
		t.Errorf("images the worker received (-submitted +received):\n%s", diff)
	}
}

// TestPermanentFailureIsNotRetried: a runner error marked permanent (an image the worker has
// not built) fails the job at its first attempt with the error; an unmarked one is retried.
func TestPermanentFailureIsNotRetried(t *testing.T) {
	h := newHarness(t, harnessOptions{maxAttempts: 3})
	h.startWorker("w", func(ctx context.Context, job worker.Job, dir string) (*report.Report, error) {
		return nil, worker.Permanent(fmt.Errorf("image %s is not built on worker w", job.Images[0]))
	})
	j := h.waitTerminal(h.submitJobs(store.NewJob{Spec: "pkg==1", Images: []string{"trixie"}}))[0]
	if diff := cmp.Diff(outcome{store.JobFailed, "", 1, 0}, h.outcome(j)); diff != "" {
		t.Errorf("outcome (-want +got):\n%s", diff)
	}
	if j.Error != "image trixie is not built on worker w" {
		t.Errorf("job error = %q", j.Error)
	}
	atts, err := h.st.Attempts(h.ctx, j.ID)
	if err != nil || len(atts) != 1 || atts[0].State != store.AttemptFailed || atts[0].Error != j.Error {
		t.Errorf("attempts %+v %v", atts, err)
	}
}
