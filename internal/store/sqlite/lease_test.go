package sqlite

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/store"
)

func TestScheduling(t *testing.T) {
	ctx := t.Context()
	st, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	job, err := st.CreateJob(ctx, store.NewJob{Spec: "a==1"})
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Minute)
	a1, err := st.StartAttempt(ctx, job.ID, "w1", past)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := st.ExpiredAttempts(ctx, time.Now())
	if err != nil || len(expired) != 1 || expired[0].Number != a1.Number || expired[0].Worker != "w1" {
		t.Fatalf("ExpiredAttempts = %+v, %v", expired, err)
	}
	if err := st.ExtendLease(ctx, job.ID, a1.Number, time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("ExtendLease: %v", err)
	}
	if expired, _ := st.ExpiredAttempts(ctx, time.Now()); len(expired) != 0 {
		t.Errorf("after ExtendLease, expired = %+v", expired)
	}
	if err := st.ExtendLease(ctx, job.ID, 7, time.Now()); !errors.Is(err, store.ErrNoAttempt) {
		t.Errorf("ExtendLease of a missing attempt: %v", err)
	}
	if err := st.RequeueJob(ctx, job.ID, "lease ended"); err != nil {
		t.Fatal(err)
	}
	if err := st.ExtendLease(ctx, job.ID, a1.Number, time.Now()); !errors.Is(err, store.ErrStaleAttempt) {
		t.Errorf("ExtendLease of an ended attempt: %v", err)
	}
	j, err := st.Job(ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	atts, err := st.Attempts(ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != store.JobQueued || atts[0].State != store.AttemptFailed || atts[0].Error != "lease ended" {
		t.Errorf("after RequeueJob: job %s, attempt %s %q", j.State, atts[0].State, atts[0].Error)
	}
	if err := st.FinishJob(ctx, job.ID, store.JobQuarantined, "gave up"); err != nil {
		t.Fatal(err)
	}
	if err := st.RequeueJob(ctx, job.ID, "by hand"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateJob(ctx, store.NewJob{Spec: "b"}); err != nil {
		t.Fatal(err)
	}
	counts, err := st.CountJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[store.JobState]int{store.JobQueued: 2}, counts); diff != "" {
		t.Errorf("CountJobs (-want +got):\n%s", diff)
	}
	if err := st.RequeueJob(ctx, "nope", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RequeueJob of a missing job: %v", err)
	}
}
