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
	// on Host:ClusterPort and connecting to Routes ("nats://127.0.0.1:6222"). Servers learn the
	// rest of the cluster from the ones they reach.
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
	// The server reports a listener it cannot open (a port in use) only to its logger, and
	// ReadyForConnections then waits out its whole timeout: watch the logger to fail at once.
	fatal := make(chan string, 1)
	ns.SetLoggerV2(fatalLogger{fatal}, false, false, false)
	ns.Start()
	where := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	if cfg.Port < 0 {
		where = cfg.Host + " (a free port)"
	}
	deadline := time.Now().Add(cfg.StartTimeout)
	for !ns.ReadyForConnections(100 * time.Millisecond) {
		select {
		case msg := <-fatal:
			ns.Shutdown()
			return nil, fmt.Errorf("starting NATS on %s: %s", where, msg)
		default:
		}
		if time.Now().After(deadline) {
			ns.Shutdown()
			return nil, fmt.Errorf("starting NATS on %s: not ready after %s", where, cfg.StartTimeout)
		}
	}
	return &Server{ns: ns}, nil
}

// fatalLogger keeps the server's first fatal message; the server logs nothing else (NoLog).
type fatalLogger struct{ fatal chan<- string }

func (l fatalLogger) Fatalf(format string, v ...any) {
	select {
	case l.fatal <- fmt.Sprintf(format, v...):
	default:
	}
}
func (fatalLogger) Noticef(string, ...any) {}
func (fatalLogger) Warnf(string, ...any)   {}
func (fatalLogger) Errorf(string, ...any)  {}
func (fatalLogger) Debugf(string, ...any)  {}
func (fatalLogger) Tracef(string, ...any)  {}

// ClientURL is the URL clients connect to (nats://127.0.0.1:PORT).
func (s *Server) ClientURL() string { return s.ns.ClientURL() }

// Shutdown stops the server and waits until it has.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}
