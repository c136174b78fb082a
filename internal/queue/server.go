package queue

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// ServerConfig describes an embedded NATS server with JetStream.
type ServerConfig struct {
	// Dir holds the JetStream store (Dir/jetstream); it must be private to this server.
	Dir string
	// Host and Port are the client listener (default 127.0.0.1 and a free port).
	Host string
	Port int
	// Name names the server; required and unique within a cluster.
	Name string
	// Token, when set, is required of every client.
	Token string
	// Cluster, when ClusterPort is not zero, joins a cluster named ClusterName listening for routes
	// on Host:ClusterPort and connecting to Routes ("nats://127.0.0.1:6222").
	ClusterName string
	ClusterPort int
	Routes      []string
	// StartTimeout bounds the wait for the server to accept clients (default 20s).
	StartTimeout time.Duration
}

// Server is a running embedded NATS server.
type Server struct {
	ns *server.Server
}

// StartServer starts an embedded NATS server with JetStream and waits until it accepts clients.
func StartServer(cfg ServerConfig) (*Server, error) {
	if cfg.Dir == "" {
		return nil, errors.New("starting NATS: no data directory")
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Port == 0 {
		cfg.Port = server.RANDOM_PORT
	}
	if cfg.Name == "" {
		cfg.Name = "pyti"
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = 20 * time.Second
	}
	opts := &server.Options{
		ServerName:    cfg.Name,
		Host:          cfg.Host,
		Port:          cfg.Port,
		JetStream:     true,
		StoreDir:      filepath.Join(cfg.Dir, "jetstream"),
		Authorization: cfg.Token,
		NoLog:         true,
		NoSigs:        true,
		MaxPayload:    1 << 20,
	}
	if cfg.ClusterPort != 0 {
		if cfg.ClusterName == "" {
			cfg.ClusterName = "pyti"
		}
		opts.Cluster = server.ClusterOpts{Name: cfg.ClusterName, Host: cfg.Host, Port: cfg.ClusterPort}
		for _, r := range cfg.Routes {
			u, err := url.Parse(r)
			if err != nil {
				return nil, fmt.Errorf("starting NATS: route %q: %w", r, err)
			}
			opts.Routes = append(opts.Routes, u)
		}
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("starting NATS: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(cfg.StartTimeout) {
		ns.Shutdown()
		return nil, fmt.Errorf("starting NATS on %s: not ready after %s", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)), cfg.StartTimeout)
	}
	return &Server{ns: ns}, nil
}

// ClientURL is the URL clients connect to (nats://127.0.0.1:PORT).
func (s *Server) ClientURL() string { return s.ns.ClientURL() }

// Shutdown stops the server and waits until it has.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}
