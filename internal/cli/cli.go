// Package cli is PYTI's command table, one file per command, and the only place where its parts
// are wired together: it parses arguments and configuration (the one analysis configuration of
// analyze, worker and serve is analysis.go's), sets up logging, calls into the domain packages
// (tasks, cluster, store, ...), prints, and sets the exit code. The script tests in
// testdata/script pin what a user sees.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/pyti/pyti/internal/config"
	"golang.org/x/term"
)

// Exit codes shared by every command. Commands may document more (see analyze).
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// Env is what a command may touch of the outside world; tests give their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	LookupEnv      func(string) (string, bool)
	// Terminal is true when Stderr is a terminal: progress is drawn only then.
	Terminal bool
	Logger   *slog.Logger
}

// runFunc runs a command once its flags are parsed.
type runFunc func(ctx context.Context, env *Env, args []string) error

// command is one row of the command table. setup registers the command's flags and returns the
// function that runs it, closing over the flag values.
type command struct {
	name    string
	args    string // synopsis of positional arguments
	summary string
	setup   func(fs *flag.FlagSet) runFunc
}

// commands is the command table, in the order `pyti help` lists it.
func commands() []command {
	return []command{
		analyzeCommand(),
		resolveCommand(),
		indexCommand(),
		serveCommand(),
		workerCommand(),
		submitCommand(),
		jobsCommand(),
		imageCommand(),
		versionCommand(),
		helpCommand(),
	}
}

// UsageError is a mistake in how a command was called; it exits with ExitUsage. Hint is the line
// printed below it (default: where the command's flags are shown).
type UsageError struct{ Msg, Hint string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, a ...any) error { return &UsageError{Msg: fmt.Sprintf(format, a...)} }

// ExitCoder lets a command choose its exit code for an error (e.g. analyze's --fail-on).
type ExitCoder interface {
	error
	ExitCode() int
}

// commonFlags are accepted by every command (and before the command name).
type commonFlags struct {
	logFormat string
	logLevel  string
	config    string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&c.config, "config", "", "TOML config file (default "+config.DefaultPath()+" if it exists)")
}

// Run is the pyti program on this process's arguments and standard streams, ended gracefully by
// SIGINT or SIGTERM; it returns the exit code. cmd/pyti and the script tests run it.
func Run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Main(ctx, os.Args[1:], &Env{
		Stdin:    os.Stdin,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Terminal: term.IsTerminal(int(os.Stderr.Fd())),
	})
}

// Main runs pyti with args (without the program name) and returns the exit code.
func Main(ctx context.Context, args []string, env *Env) int {
	if env.LookupEnv == nil {
		env.LookupEnv = os.LookupEnv
	}
	table := commands()
	var global commonFlags
	gfs := flag.NewFlagSet("pyti", flag.ContinueOnError)
	gfs.SetOutput(io.Discard)
	global.register(gfs)
	if err := gfs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printOverview(env.Stdout, table)
			return ExitOK
		}
		fmt.Fprintf(env.Stderr, "pyti: %v\nRun \"pyti help\" for the list of commands.\n", config.ClarifyParseError(gfs, err))
		return ExitUsage
	}
	rest := gfs.Args()
	if len(rest) == 0 {
		printOverview(env.Stderr, table)
		return ExitUsage
	}
	cmd, ok := find(table, rest[0])
	if !ok {
		fmt.Fprintf(env.Stderr, "pyti: unknown command %q\nRun \"pyti help\" for the list of commands.\n", rest[0])
		return ExitUsage
	}
	fs := flag.NewFlagSet("pyti "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	common := global
	common.register(fs)
	run := cmd.setup(fs)
	// What was given before the command name counts as given on the command line.
	gfs.Visit(func(f *flag.Flag) { _ = fs.Set(f.Name, f.Value.String()) })
	positional, err := parseInterspersed(fs, rest[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommandUsage(env.Stdout, cmd, fs)
			return ExitOK
		}
		fmt.Fprintf(env.Stderr, "pyti %s: %v\nRun \"pyti %s -h\" for its flags.\n", cmd.name, config.ClarifyParseError(fs, err), cmd.name)
		return ExitUsage
	}
	if err := applyConfig(fs, &common, env, table); err != nil {
		fmt.Fprintf(env.Stderr, "pyti %s: %v\n", cmd.name, err)
		return ExitUsage
	}
	logger, err := newLogger(env.Stderr, common.logFormat, common.logLevel)
	if err != nil {
		fmt.Fprintf(env.Stderr, "pyti %s: %v\n", cmd.name, err)
		return ExitUsage
	}
	env.Logger = logger
	if err := run(ctx, env, positional); err != nil {
		var ue *UsageError
		if errors.As(err, &ue) {
			hint := ue.Hint
			if hint == "" {
				hint = fmt.Sprintf("Run \"pyti %s -h\" for its flags.", cmd.name)
			}
			fmt.Fprintf(env.Stderr, "pyti %s: %v\n%s\n", cmd.name, err, hint)
			return ExitUsage
		}
		fmt.Fprintf(env.Stderr, "pyti %s: %v\n", cmd.name, err)
		var ec ExitCoder
		if errors.As(err, &ec) {
			return ec.ExitCode()
		}
		return ExitError
	}
	return ExitOK
}

// applyConfig fills unset flags from PYTI_* variables and the config file.
func applyConfig(fs *flag.FlagSet, common *commonFlags, env *Env, table []command) error {
	path, required := common.config, true
	if path == "" {
		if v, ok := env.LookupEnv(config.EnvName("config")); ok && v != "" {
			path = v
		} else {
			path, required = config.DefaultPath(), false
		}
	}
	file, err := config.LoadFile(path, required)
	if err != nil {
		return err
	}
	if err := file.CheckKeys(knownSettings(table)); err != nil {
		return err
	}
	return config.Apply(fs, env.LookupEnv, file)
}

// knownSettings is every flag of every command: the keys a config file may hold.
func knownSettings(table []command) map[string]bool {
	known := map[string]bool{}
	for _, c := range table {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		var cf commonFlags
		cf.register(fs)
		c.setup(fs)
		fs.VisitAll(func(f *flag.Flag) { known[f.Name] = true })
	}
	delete(known, "config")
	return known
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("setting log-level: %q is not one of debug, info, warn, error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("setting log-format: %q is not one of text, json", format)
	}
}

func find(table []command, name string) (command, bool) {
	for _, c := range table {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func printOverview(w io.Writer, table []command) {
	fmt.Fprintln(w, "PYTI analyses Python distributions: fetch, unpack, inspect, build, install, import and test them")
	fmt.Fprintln(w, "in a traced sandbox with no network, and report what happened.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: pyti [--log-format text|json] [--log-level LEVEL] [--config FILE] COMMAND [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	width := 0
	for _, c := range table {
		width = max(width, len(c.name))
	}
	for _, c := range table {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "pyti help COMMAND" or "pyti COMMAND -h" for a command's flags.`)
	fmt.Fprintln(w, "Every flag can also be set with a PYTI_<FLAG> environment variable or in the config file.")
}

func printCommandUsage(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: pyti %s [flags] %s\n\n%s\n", c.name, c.args, c.summary)
	var lines []string
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		line += "\n        " + usage
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			line += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		line += fmt.Sprintf(" [%s]", config.EnvName(f.Name))
		lines = append(lines, line)
	})
	sort.Strings(lines)
	fmt.Fprintf(w, "\nFlags:\n%s\n", strings.Join(lines, "\n"))
}

// parseInterspersed parses flags wherever they stand among the arguments ("pyti analyze NAME
// --json" as well as "pyti analyze --json NAME"); everything after "--" is an argument.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
