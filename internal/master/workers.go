package master

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"sort"
	"sync"
	"time"

	"github.com/pyti/pyti/internal/store"
)

// historyLen is how many finished attempts a worker remembers.
const historyLen = 20

// WorkerInfo is what the master knows of one worker.
type WorkerInfo struct {
	Name         string    `json:"name"`
	Host         string    `json:"host,omitempty"`
	Version      string    `json:"version,omitempty"`
	RegisteredAt time.Time `json:"registered_at"`
	LastSeen     time.Time `json:"last_seen"`
	// Alive is false once the worker has been silent for a lease.
	Alive   bool        `json:"alive"`
	Current *WorkerJob  `json:"current,omitempty"`
	History []WorkerJob `json:"history"`
	// Done counts the results the worker delivered; Failed its attempts that failed.
	Done   int `json:"done"`
	Failed int `json:"failed"`
}

// WorkerJob is one attempt a worker ran or runs.
type WorkerJob struct {
	JobID    string    `json:"job_id"`
	Attempt  int       `json:"attempt"`
	Spec     string    `json:"spec"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	// Outcome is the verdict, or why the attempt failed; empty while it runs.
	Outcome string `json:"outcome,omitempty"`
}

type workerEntry struct {
	info      WorkerInfo
	tokenHash [32]byte
}

// registry holds the workers and their tokens, in memory: after a master restart each worker
// registers again (under the same name) with the enrollment token.
type registry struct {
	mu      sync.Mutex
	lease   time.Duration
	workers map[string]*workerEntry
}

func newRegistry(lease time.Duration) *registry {
	return &registry{lease: lease, workers: map[string]*workerEntry{}}
}

// register gives a worker a fresh token, replacing any earlier one of that name.
func (r *registry) register(name, host, version string) (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := "pw_" + hex.EncodeToString(b[:])
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.workers[name]
	if !ok {
		e = &workerEntry{info: WorkerInfo{Name: name, RegisteredAt: time.Now().UTC(), History: []WorkerJob{}}}
		r.workers[name] = e
	}
	e.info.Host, e.info.Version, e.info.LastSeen = host, version, time.Now().UTC()
	e.tokenHash = sha256.Sum256([]byte(token))
	return token, nil
}

// authenticate returns the worker whose token this is.
func (r *registry) authenticate(token string) (string, bool) {
	if token == "" {
		return "", false
	}
	h := sha256.Sum256([]byte(token))
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, e := range r.workers {
		if subtle.ConstantTimeCompare(h[:], e.tokenHash[:]) == 1 {
			return name, true
		}
	}
	return "", false
}

func (r *registry) seen(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.workers[name]; ok {
		e.info.LastSeen = time.Now().UTC()
	}
}

func (r *registry) startJob(name string, j store.Job, attempt int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.workers[name]
	if !ok {
		return
	}
	now := time.Now().UTC()
	e.info.LastSeen = now
	e.info.Current = &WorkerJob{JobID: j.ID, Attempt: attempt, Spec: j.Spec, Started: now}
}

func (r *registry) endJob(name, jobID string, attempt int, outcome string, failed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.workers[name]
	if !ok {
		return
	}
	wj := WorkerJob{JobID: jobID, Attempt: attempt}
	if c := e.info.Current; c != nil && c.JobID == jobID && c.Attempt == attempt {
		wj = *c
		e.info.Current = nil
	}
	wj.Finished, wj.Outcome = time.Now().UTC(), outcome
	if failed {
		e.info.Failed++
	} else {
		e.info.Done++
	}
	e.info.History = append([]WorkerJob{wj}, e.info.History...)
	if len(e.info.History) > historyLen {
		e.info.History = e.info.History[:historyLen]
	}
}

// list returns the workers by name.
func (r *registry) list() []WorkerInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]WorkerInfo, 0, len(r.workers))
	for _, e := range r.workers {
		w := e.info
		w.Alive = time.Since(w.LastSeen) < r.lease
		if w.Current != nil {
			c := *w.Current
			w.Current = &c
		}
		w.History = append([]WorkerJob{}, w.History...)
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (r *registry) alive() int {
	n := 0
	for _, w := range r.list() {
		if w.Alive {
			n++
		}
	}
	return n
}
