package master

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
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

// registry holds the workers and the hashes of their tokens. With a file, it keeps the
// credentials and revocations across restarts, so that a worker keeps its own credential and a
// revoked one stays out; without, a restarted master has each worker register again.
type registry struct {
	mu      sync.Mutex
	lease   time.Duration
	file    string
	workers map[string]*workerEntry
	revoked map[string]bool
}

var (
	errNameTaken = errors.New("a live worker has this name")
	errRevoked   = errors.New("this worker was revoked")
)

// savedWorker is a worker in the registry's file.
type savedWorker struct {
	Name         string    `json:"name"`
	Host         string    `json:"host,omitempty"`
	Version      string    `json:"version,omitempty"`
	RegisteredAt time.Time `json:"registered_at"`
	TokenSHA256  string    `json:"token_sha256"`
}

type savedRegistry struct {
	Workers []savedWorker `json:"workers"`
	Revoked []string      `json:"revoked"`
}

func newRegistry(lease time.Duration, file string) (*registry, error) {
	r := &registry{lease: lease, file: file, workers: map[string]*workerEntry{}, revoked: map[string]bool{}}
	if file == "" {
		return r, nil
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the workers' credentials: %w", err)
	}
	var saved savedRegistry
	if err := json.Unmarshal(data, &saved); err != nil {
		return nil, fmt.Errorf("reading the workers' credentials %s: %w", file, err)
	}
	for _, w := range saved.Workers {
		h, err := hex.DecodeString(w.TokenSHA256)
		if err != nil || len(h) != 32 {
			return nil, fmt.Errorf("reading the workers' credentials %s: worker %q has no valid token hash", file, w.Name)
		}
		e := &workerEntry{info: WorkerInfo{Name: w.Name, Host: w.Host, Version: w.Version, RegisteredAt: w.RegisteredAt, History: []WorkerJob{}}}
		copy(e.tokenHash[:], h)
		r.workers[w.Name] = e
	}
	for _, n := range saved.Revoked {
		r.revoked[n] = true
	}
	return r, nil
}

// save writes the registry's file, when it has one. Called with r.mu held.
func (r *registry) save() error {
	if r.file == "" {
		return nil
	}
	var saved savedRegistry
	for _, e := range r.workers {
		saved.Workers = append(saved.Workers, savedWorker{Name: e.info.Name, Host: e.info.Host, Version: e.info.Version,
			RegisteredAt: e.info.RegisteredAt, TokenSHA256: hex.EncodeToString(e.tokenHash[:])})
	}
	sort.Slice(saved.Workers, func(i, j int) bool { return saved.Workers[i].Name < saved.Workers[j].Name })
	for n := range r.revoked {
		saved.Revoked = append(saved.Revoked, n)
	}
	sort.Strings(saved.Revoked)
	data, err := json.MarshalIndent(saved, "", "  ")
	if err != nil {
		return err
	}
	tmp := r.file + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("saving the workers' credentials: %w", err)
	}
	if err := os.Rename(tmp, r.file); err != nil {
		return fmt.Errorf("saving the workers' credentials: %w", err)
	}
	return nil
}

// register gives a worker its own token. A name that a live worker holds is refused (a second
// worker may not take over the first's attempts); a silent worker's name is given to the
// newcomer with a fresh token (replaced), and the old token stops working. A revoked name is
// refused for good.
func (r *registry) register(name, host, version string) (token string, replaced bool, err error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", false, err
	}
	token = "pw_" + hex.EncodeToString(b[:])
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.revoked[name] {
		return "", false, fmt.Errorf("worker %q: %w; register under another name", name, errRevoked)
	}
	e, ok := r.workers[name]
	if ok && time.Since(e.info.LastSeen) < r.lease {
		return "", false, fmt.Errorf("worker %q: %w (seen %s ago); give this worker another name, or wait a lease (%s) after the other stopped",
			name, errNameTaken, time.Since(e.info.LastSeen).Round(time.Second), r.lease)
	}
	if !ok {
		e = &workerEntry{info: WorkerInfo{Name: name, RegisteredAt: time.Now().UTC(), History: []WorkerJob{}}}
		r.workers[name] = e
	}
	e.info.Host, e.info.Version, e.info.LastSeen = host, version, time.Now().UTC()
	e.tokenHash = sha256.Sum256([]byte(token))
	if err := r.save(); err != nil {
		return "", false, err
	}
	return token, ok, nil
}

// revoke forgets a worker's token and refuses its name from now on.
func (r *registry) revoke(name string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, known := r.workers[name]
	delete(r.workers, name)
	r.revoked[name] = true
	return known, r.save()
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

// abandon ends the worker's current attempt if it is this one: a heartbeat refused after the
// attempt ended otherwise (a late one, racing the commit) must not count a second time.
func (r *registry) abandon(name, jobID string, attempt int, outcome string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.workers[name]
	if ok && e.info.Current != nil && e.info.Current.JobID == jobID && e.info.Current.Attempt == attempt {
		r.endJobLocked(name, jobID, attempt, outcome, true)
	}
}

func (r *registry) endJob(name, jobID string, attempt int, outcome string, failed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endJobLocked(name, jobID, attempt, outcome, failed)
}

func (r *registry) endJobLocked(name, jobID string, attempt int, outcome string, failed bool) {
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
	switch {
	case strings.HasPrefix(outcome, releasedPrefix):
		// Handed back on a graceful stop: neither a result nor a failure.
	case failed:
		e.info.Failed++
	default:
		e.info.Done++
	}
	e.info.History = append([]WorkerJob{wj}, e.info.History...)
	if len(e.info.History) > historyLen {
		e.info.History = e.info.History[:historyLen]
	}
}

// list returns the workers heard from since the master started, by name.
func (r *registry) list() []WorkerInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]WorkerInfo, 0, len(r.workers))
	for _, e := range r.workers {
		if e.info.LastSeen.IsZero() {
			// Known from the file but not heard from since this master started.
			continue
		}
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
