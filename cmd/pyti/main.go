// Command pyti is the PyPI Testing Infrastructure: see `pyti help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pyti/pyti/internal/cli"
	"github.com/pyti/pyti/internal/sandbox"
	"golang.org/x/term"
)

func main() {
	// When the binary re-executes itself as the sandbox's launcher or init, it never returns here.
	sandbox.MaybeRunHelper()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], &cli.Env{
		Stdin:    os.Stdin,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Terminal: term.IsTerminal(int(os.Stderr.Fd())),
	})
	stop()
	os.Exit(code)
}
