package cli

import (
	"fmt"
	"os"
	"strings"
)

// secretOnCommandLine refuses a secret given as a flag on this process's command line, where ps
// shows it to every user of the machine. The same flag set from its PYTI_* variable or the config
// file is fine; so is FILE-valued flag beside it.
func secretOnCommandLine(argv []string, flagName, instead string) error {
	for _, a := range argv {
		if a == "--" {
			break
		}
		name := strings.TrimLeft(a, "-")
		if !strings.HasPrefix(a, "-") || len(a)-len(name) > 2 {
			continue
		}
		if name == flagName || strings.HasPrefix(name, flagName+"=") {
			return usagef("--%s on the command line is visible to every user through ps: %s", flagName, instead)
		}
	}
	return nil
}

// readSecretFile reads a token from a file (its first line, trimmed).
func readSecretFile(path, what string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the %s: %w", what, err)
	}
	t, _, _ := strings.Cut(string(data), "\n")
	if t = strings.TrimSpace(t); t == "" {
		return "", fmt.Errorf("the %s file %s is empty", what, path)
	}
	return t, nil
}
