// Package config applies PYTI's configuration precedence to a command's flags: a flag given on the
// command line wins, then a PYTI_* environment variable, then a key of the TOML config file, then
// the flag's default. Every setting is a flag, so one name serves all three places:
// `--index-url`, `PYTI_INDEX_URL` and `index-url = "..."` (or `index_url`) in the file.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// EnvName is the environment variable that sets the flag called name.
func EnvName(name string) string {
	return "PYTI_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// File is a parsed config file: flag names (with dashes) to values.
type File struct {
	Path   string
	Values map[string]any
}

// DefaultPath is where PYTI looks for a config file when none is named: $XDG_CONFIG_HOME/pyti/config.toml.
func DefaultPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "pyti", "config.toml")
}

// LoadFile reads a TOML config file. A missing file is an error only when required is true (the user
// named it); otherwise it yields an empty File.
func LoadFile(path string, required bool) (*File, error) {
	f := &File{Path: path, Values: map[string]any{}}
	if path == "" {
		return f, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !required {
			return f, nil
		}
		return nil, fmt.Errorf("config file: %w", err)
	}
	raw := map[string]any{}
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	for k, v := range raw {
		f.Values[strings.ReplaceAll(k, "_", "-")] = v
	}
	return f, nil
}

// CheckKeys reports keys of the file that are no setting at all, so a typo does not go unnoticed.
func (f *File) CheckKeys(known map[string]bool) error {
	var unknown []string
	for k := range f.Values {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return fmt.Errorf("config file %s: unknown setting %q", f.Path, strings.Join(unknown, `", "`))
}

// Apply fills every flag of set that was not given on the command line, first from the environment
// (lookup is os.LookupEnv in production), then from the file. A bad value is an error naming where
// it came from.
func Apply(set *flag.FlagSet, lookup func(string) (string, bool), file *File) error {
	given := map[string]bool{}
	set.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	set.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		if v, ok := lookup(EnvName(f.Name)); ok {
			if err := Set(set, f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("environment variable %s=%q: %w", EnvName(f.Name), v, err))
			}
			return
		}
		if file == nil {
			return
		}
		v, ok := file.Values[f.Name]
		if !ok {
			return
		}
		values, err := scalars(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("config file %s: setting %q: %w", file.Path, f.Name, err))
			return
		}
		for _, s := range values {
			if err := Set(set, f.Name, s); err != nil {
				errs = append(errs, fmt.Errorf("config file %s: setting %q = %q: %w", file.Path, f.Name, s, err))
				return
			}
		}
	})
	return errors.Join(errs...)
}

// Set sets the flag name of set to value. A bad value's error says what the value should look
// like, where the flag package only says "parse error".
func Set(set *flag.FlagSet, name, value string) error {
	err := set.Set(name, value)
	if err == nil {
		return nil
	}
	if w := Want(set.Lookup(name)); w != "" && isParseError(err.Error()) {
		return errors.New(w)
	}
	return err
}

// ClarifyParseError rewrites an error of set.Parse about a bad flag value ("invalid value "x"
// for flag -parallel: parse error") to say what the value should look like.
func ClarifyParseError(set *flag.FlagSet, err error) error {
	m := invalidValue.FindStringSubmatch(err.Error())
	if m == nil || !isParseError(m[3]) {
		return err
	}
	f := set.Lookup(m[2])
	if f == nil {
		return err
	}
	if w := Want(f); w != "" {
		return fmt.Errorf("invalid value %s for flag --%s: %s", m[1], m[2], w)
	}
	return err
}

var invalidValue = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-([^:]+): (.*)$`)

func isParseError(msg string) bool { return msg == "parse error" || msg == "value out of range" }

// Want says what a value of the flag f looks like ("want a whole number"), or "" when its type
// does not say.
func Want(f *flag.Flag) string {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return ""
	}
	switch g.Get().(type) {
	case bool:
		return "want true or false"
	case int, int64, uint, uint64:
		return "want a whole number"
	case float64:
		return "want a number"
	case time.Duration:
		return "want a duration such as 90s, 20m or 1h30m"
	}
	return ""
}

// scalars turns a TOML value into the strings flag.Value.Set takes; an array sets a repeated flag.
func scalars(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case int64, float64, bool:
		return []string{fmt.Sprint(v)}, nil
	case []any:
		var out []string
		for _, e := range v {
			s, err := scalars(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s...)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("want a string, number, boolean or array, got %T", v)
	}
}
