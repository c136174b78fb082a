// Command pyti is the PyPI Testing Infrastructure: see `pyti help`.
package main

import (
	"os"

	"github.com/pyti/pyti/internal/cli"
	"github.com/pyti/pyti/internal/sandbox"
)

func main() {
	// When the binary re-executes itself as the sandbox's launcher or init, it never returns here.
	sandbox.MaybeRunHelper()
	os.Exit(cli.Run())
}
