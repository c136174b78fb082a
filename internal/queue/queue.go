package queue

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names of the stream, its subject and the workers' durable consumer.
const (
	StreamName   = "PYTI_JOBS"
	Subject      = "pyti.jobs"
	ConsumerName = "pyti-workers"
)

// Notice is the content of one message: a job the master wants run. The worker asks the master
// for the job itself (and a lease) before it runs anything.
type Notice struct {
	JobID string `json:"job_id"`
	Spec  string `json:"spec"`
	// Generation is the number of attempts the job had when it was put on the queue.
	Generation int `json:"generation"`
	// Ticket is the master's signature of the job and generation: a worker shows it when it
	// claims the job, so a job is claimed only by the worker the queue handed its notice to.
	Ticket string `json:"ticket,omitempty"`
}

// Config describes a connection to NATS.
type Config struct {
	// URL is one server or a comma-separated list of a cluster's servers.
	URL string
	// Token authenticates to servers that require one.
	Token string
	// Name is the client name the server shows.
	Name string
	// Replicas of the stream (1 for one server, 3 for a three-node cluster). Only the side that
	// creates the stream (the master) uses it.
	Replicas int
	// AckWait is how long a delivery may go without progress before JetStream redelivers it
	// (default 60s).
	AckWait time.Duration
	// Logger receives connection events; nil discards them.
	Logger *slog.Logger
}

// Queue is a connection to the job stream.
type Queue struct {
	nc   *nats.Conn
	js   jetstream.JetStream
	cfg  Config
	cons jetstream.Consumer
}

// Connect connects to NATS; it fails at once when no server answers, and afterwards reconnects
// for as long as the queue is open.
func Connect(ctx context.Context, cfg Config) (*Queue, error) {
	if cfg.URL == "" {
		return nil, errors.New("connecting to NATS: no URL")
	}
	if cfg.AckWait == 0 {
		cfg.AckWait = 60 * time.Second
	}
	if cfg.Replicas == 0 {
		cfg.Replicas = 1
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	opts := []nats.Option{
		nats.Name(cfg.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.Timeout(5 * time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			logger.Warn("NATS disconnected", "err", err)
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { logger.Info("NATS reconnected", "server", c.ConnectedUrlRedacted()) }),
	}
	if cfg.Token != "" {
		opts = append(opts, nats.Token(cfg.Token))
	}
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to NATS at %s: %w", cfg.URL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("connecting to JetStream at %s: %w", cfg.URL, err)
	}
	return &Queue{nc: nc, js: js, cfg: cfg}, nil
}

// Close closes the connection.
func (q *Queue) Close() { q.nc.Close() }

// retry calls fn until it succeeds or ctx ends: a fresh cluster needs a moment to elect its
// JetStream leaders, and a node may be restarting.
func retry(ctx context.Context, what string, fn func(ctx context.Context) error) error {
	var last error
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		last = fn(attemptCtx)
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (last error: %v)", what, ctx.Err(), last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// Setup creates or updates the work-queue stream and the workers' consumer. The master calls it;
// workers call Bind.
func (q *Queue) Setup(ctx context.Context) error {
	err := retry(ctx, "creating the job stream", func(ctx context.Context) error {
		_, err := q.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
			Name:       StreamName,
			Subjects:   []string{Subject},
			Retention:  jetstream.WorkQueuePolicy,
			Storage:    jetstream.FileStorage,
			Replicas:   q.cfg.Replicas,
			Duplicates: 10 * time.Minute,
		})
		return err
	})
	if err != nil {
		return err
	}
	return retry(ctx, "creating the workers' consumer", func(ctx context.Context) error {
		c, err := q.js.CreateOrUpdateConsumer(ctx, StreamName, jetstream.ConsumerConfig{
			Durable:       ConsumerName,
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       q.cfg.AckWait,
			MaxDeliver:    -1,
			MaxAckPending: 10000,
			Replicas:      q.cfg.Replicas,
		})
		if err == nil {
			q.cons = c
		}
		return err
	})
}

// Bind finds the workers' consumer that the master created, waiting for it until ctx ends.
func (q *Queue) Bind(ctx context.Context) error {
	return retry(ctx, "finding the job stream (is the master running?)", func(ctx context.Context) error {
		c, err := q.js.Consumer(ctx, StreamName, ConsumerName)
		if err == nil {
			q.cons = c
		}
		return err
	})
}

// Publish puts a notice on the queue. Its retries (after a timeout, a node down) store one
// message; two calls store two, which the master's claim makes harmless.
func (q *Queue) Publish(ctx context.Context, n Notice) error {
	data, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("publishing job %s: %w", n.JobID, err)
	}
	var nonce [8]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return fmt.Errorf("publishing job %s: %w", n.JobID, err)
	}
	id := fmt.Sprintf("%s/%d/%x", n.JobID, n.Generation, nonce)
	return retry(ctx, "publishing job "+n.JobID, func(ctx context.Context) error {
		_, err := q.js.Publish(ctx, Subject, data, jetstream.WithMsgID(id))
		return err
	})
}

// Depth is the number of notices waiting in the stream or delivered and not yet acknowledged.
func (q *Queue) Depth(ctx context.Context) (uint64, error) {
	s, err := q.js.Stream(ctx, StreamName)
	if err != nil {
		return 0, fmt.Errorf("reading the job stream: %w", err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading the job stream: %w", err)
	}
	return info.State.Msgs, nil
}

// Delivery is one notice handed to a worker.
type Delivery struct {
	Notice Notice
	// Delivered counts the deliveries of this message, 1 the first time.
	Delivered uint64
	msg       jetstream.Msg
}

// Next waits for the next notice until ctx ends. A malformed message is terminated and skipped.
func (q *Queue) Next(ctx context.Context) (*Delivery, error) {
	if q.cons == nil {
		return nil, errors.New("taking a job: the queue is not bound (call Bind or Setup)")
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		batch, err := q.cons.Fetch(1, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			// The server may be away (a restart, a cluster node down): wait and try again.
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(500 * time.Millisecond):
			}
			continue
		}
		for msg := range batch.Messages() {
			var n Notice
			if err := json.Unmarshal(msg.Data(), &n); err != nil || n.JobID == "" {
				_ = msg.TermWithReason("malformed job notice")
				continue
			}
			d := &Delivery{Notice: n, msg: msg}
			if md, err := msg.Metadata(); err == nil {
				d.Delivered = md.NumDelivered
			}
			return d, nil
		}
	}
}

// Progress tells JetStream the job is still being worked on, restarting its ack wait.
func (d *Delivery) Progress() error { return d.msg.InProgress() }

// Ack removes the notice from the queue, waiting for the server to confirm.
func (d *Delivery) Ack(ctx context.Context) error { return d.msg.DoubleAck(ctx) }

// Nak hands the notice back for redelivery after delay.
func (d *Delivery) Nak(delay time.Duration) error { return d.msg.NakWithDelay(delay) }
