package queue

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func start(t *testing.T, ackWait time.Duration) (*Queue, *Queue) {
	t.Helper()
	srv, err := StartServer(ServerConfig{Dir: t.TempDir(), Port: -1, Token: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	ctx := t.Context()
	if _, err := Connect(ctx, Config{URL: srv.ClientURL(), Token: "wrong"}); err == nil {
		t.Error("a client with a wrong token connected")
	}
	m, err := Connect(ctx, Config{URL: srv.ClientURL(), Token: "secret", AckWait: ackWait})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	if err := m.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	w, err := Connect(ctx, Config{URL: srv.ClientURL(), Token: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	if err := w.Bind(ctx); err != nil {
		t.Fatal(err)
	}
	return m, w
}

func TestDeliveryAckAndRedelivery(t *testing.T) {
	m, w := start(t, time.Second)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for _, id := range []string{"a", "b"} {
		if err := m.Publish(ctx, Notice{JobID: id, Spec: id + "==1"}); err != nil {
			t.Fatal(err)
		}
	}
	if d, err := m.Depth(ctx); err != nil || d != 2 {
		t.Errorf("depth = %d, %v; want 2", d, err)
	}
	first, err := w.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Notice{JobID: "a", Spec: "a==1"}, first.Notice); diff != "" || first.Delivered != 1 {
		t.Errorf("first delivery %d (-want +got):\n%s", first.Delivered, diff)
	}
	// Progress keeps "a" from coming back past its ack wait.
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
				_ = first.Progress()
			}
		}
	}()
	second, err := w.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second.Notice.JobID != "b" {
		t.Errorf("second delivery is %q, want b", second.Notice.JobID)
	}
	// "b" is neither acked nor progressed: it comes back after the ack wait.
	again, err := w.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again.Notice.JobID != "b" || again.Delivered != 2 {
		t.Errorf("redelivery: %q delivered %d times, want b twice", again.Notice.JobID, again.Delivered)
	}
	close(stop)
	for _, d := range []*Delivery{first, again} {
		if err := d.Ack(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if d, err := m.Depth(ctx); err != nil || d != 0 {
		t.Errorf("depth after acks = %d, %v; want 0", d, err)
	}
	short, cancelShort := context.WithTimeout(ctx, 3*time.Second)
	defer cancelShort()
	if d, err := w.Next(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("an empty queue delivered %+v, %v", d, err)
	}
}

// TestStartServerPortInUse checks that a listener the server cannot open is reported with the
// system's reason, not as a server that never became ready.
func TestStartServerPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	taken := ln.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name string
		cfg  ServerConfig
	}{
		{"client port", ServerConfig{Port: taken}},
		// A cluster's JetStream needs routes; the one given is the taken port itself.
		{"route port", ServerConfig{Port: -1, ClusterPort: taken, Routes: []string{fmt.Sprintf("nats://127.0.0.1:%d", taken)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Dir = t.TempDir()
			tt.cfg.StartTimeout = 30 * time.Second
			srv, err := StartServer(tt.cfg)
			if err == nil {
				srv.Shutdown()
				t.Fatalf("started on port %d, which is in use", taken)
			}
			if want := "address already in use"; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		})
	}
}
