package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/master"
)

// commandClient talks to a master's Command API.
type commandClient struct {
	server string
	token  string
	http   *http.Client
}

// commandFlags are the flags of the commands that talk to the Command API.
type commandFlags struct {
	server    string
	token     string
	tokenFile string
}

func (f *commandFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.server, "server", "http://127.0.0.1:8080", "the master's URL")
	fs.StringVar(&f.token, "token", "", "the Command API token: set it with PYTI_TOKEN or in the config file, never on the command line (use --token-file)")
	fs.StringVar(&f.tokenFile, "token-file", "", "file holding the Command API token (the master's DATA-DIR/command.token)")
}

func (f *commandFlags) client() (*commandClient, error) {
	if err := secretOnCommandLine(os.Args[1:], "token", "use --token-file FILE or PYTI_TOKEN"); err != nil {
		return nil, err
	}
	if f.tokenFile != "" {
		t, err := readSecretFile(f.tokenFile, "Command API token")
		if err != nil {
			return nil, err
		}
		f.token = t
	}
	if f.token == "" {
		return nil, usagef("--token-file is required (or PYTI_TOKEN): the master's DATA-DIR/command.token")
	}
	return &commandClient{server: strings.TrimRight(f.server, "/"), token: f.token, http: &http.Client{Timeout: time.Minute}}, nil
}

func (c *commandClient) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.server+master.CommandPrefix+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("reaching the master at %s: %w", c.server, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("reading the master's answer: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		var ae struct {
			Error string `json:"error"`
		}
		msg := strings.TrimSpace(string(data))
		if json.Unmarshal(data, &ae) == nil && ae.Error != "" {
			msg = ae.Error
		}
		return fmt.Errorf("the master refused (%s): %s", resp.Status, msg)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("reading the master's answer: %w", err)
		}
	}
	return nil
}
