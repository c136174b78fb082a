package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/store/sqlite"
	"github.com/pyti/pyti/internal/web"
)

func serveCommand() command {
	return command{
		name:    "serve",
		summary: "serve the web UI and the JSON API, and run the master with its job queue and workers",
		setup: func(fs *flag.FlagSet) runFunc {
			var o serveOptions
			o.cluster = registerClusterFlags(fs)
			fs.StringVar(&o.dataDir, "data-dir", defaultDataDir(), "PYTI's data directory: the store is pyti.db and blobs/ in it, as pyti analyze writes them")
			fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to listen on")
			fs.StringVar(&o.title, "title", "PYTI", "site title shown in the UI")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) > 0 {
					return usagef("serve takes no arguments")
				}
				for _, f := range []string{"token", "worker-token"} {
					if err := secretOnCommandLine(os.Args[1:], f, "leave it unset to use the token file in DATA-DIR, or set PYTI_"+strings.ToUpper(strings.ReplaceAll(f, "-", "_"))); err != nil {
						return err
					}
				}
				return serve(ctx, env, o)
			}
		},
	}
}

type serveOptions struct {
	dataDir string
	listen  string
	title   string
	cluster *clusterFlags
}

// serve opens the store, listens, prints the URL and serves until ctx ends, then shuts down
// gracefully. The job transport, workers and the command API join here: each is started before
// the listener and stopped after the HTTP server.
func serve(ctx context.Context, env *Env, o serveOptions) error {
	st, err := sqlite.Open(ctx, o.dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	co := *o.cluster
	co.dataDir = o.dataDir
	cl, err := startCluster(ctx, env, st, co)
	if err != nil {
		return err
	}
	defer cl.Stop() // runs before st.Close
	webHandler, err := web.New(st, env.Logger, web.Options{Title: o.title, Workers: func() []web.Worker { return webWorkers(cl.Master.Workers()) }})
	if err != nil {
		return err
	}
	// The web UI keeps "/" (its own /api/v1/ included); the master's APIs and metrics sit beside it.
	handler := http.NewServeMux()
	handler.Handle("/", webHandler)
	for _, m := range cl.Mounts {
		handler.Handle(m.Pattern, m.Handler)
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.listen, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      5 * time.Minute, // raw data downloads can be large
		IdleTimeout:       2 * time.Minute,
	}
	fmt.Fprintf(env.Stdout, "PYTI is serving %s on http://%s/\n", o.dataDir, ln.Addr())
	fmt.Fprintf(env.Stdout, "job queue: %s; tokens: %s (Command API) and %s (workers)\n", cl.NATSURL,
		filepath.Join(o.dataDir, "command.token"), filepath.Join(o.dataDir, "worker.token"))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	env.Logger.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	return nil
}

// webWorkers shows the master's workers on the jobs page, newest attempts first.
func webWorkers(ws []master.WorkerInfo) []web.Worker {
	out := make([]web.Worker, 0, len(ws))
	for _, w := range ws {
		v := web.Worker{Name: w.Name, Host: w.Host, Alive: w.Alive, LastSeen: w.LastSeen, Done: w.Done, Failed: w.Failed}
		if w.Current != nil {
			v.Current = w.Current.Spec
		}
		// The master keeps the history newest first.
		for _, h := range w.History[:min(5, len(w.History))] {
			v.History = append(v.History, web.WorkerAttempt{Spec: h.Spec, Outcome: h.Outcome, When: h.Finished})
		}
		out = append(out, v)
	}
	return out
}
