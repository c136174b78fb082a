package localindex

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is an Index served over HTTP.
type Server struct {
	// URL is the server's root, e.g. "http://127.0.0.1:40123".
	URL   string
	Index *Index

	srv  *http.Server
	done chan error
}

// Serve serves the distributions in dir on addr (e.g. "127.0.0.1:0").
func Serve(dir, addr string) (*Server, error) {
	ix, err := NewIndex(dir)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("serve index: %w", err)
	}
	s := &Server{
		URL:   "http://" + ln.Addr().String(),
		Index: ix,
		srv:   &http.Server{Handler: ix, ReadHeaderTimeout: 10 * time.Second},
		done:  make(chan error, 1),
	}
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s, nil
}

// Start serves dir on a free loopback port; Close the server when done.
func Start(dir string) (*Server, error) { return Serve(dir, "127.0.0.1:0") }

// SimpleURL is the index URL to hand to pip: URL + "/simple/".
func (s *Server) SimpleURL() string { return s.URL + "/simple/" }

// Yank marks a file as yanked (PEP 592).
func (s *Server) Yank(filename, reason string) error { return s.Index.Yank(filename, reason) }

// Close stops the server, waiting a few seconds for requests under way.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, s.srv.Close())
	}
	if serveErr := <-s.done; serveErr != nil {
		err = errors.Join(err, serveErr)
	}
	if err != nil {
		return fmt.Errorf("close index server: %w", err)
	}
	return nil
}
