package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pyti/pyti/internal/master"
)

// StatusError is a refusal from the master.
type StatusError struct {
	Status int
	Msg    string
}

func (e *StatusError) Error() string { return fmt.Sprintf("master answered %d: %s", e.Status, e.Msg) }

// refused tells whether the master said the attempt is not (or no longer) this worker's, or
// refused its content: retrying the same request cannot help.
func refused(err error) bool {
	var se *StatusError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Status {
	case http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusBadRequest, http.StatusGone,
		http.StatusRequestEntityTooLarge:
		return true
	}
	return false
}

// ErrUnregistered is a worker whose token the master no longer knows and who could not register
// again (it was revoked, or its name is taken): it must stop.
var ErrUnregistered = errors.New("the master no longer accepts this worker")

// client talks to the master's Raw Data API.
type client struct {
	base       string
	http       *http.Client
	enrollment string
	name       string
	host       string
	version    string

	mu    sync.Mutex
	token string
	lease time.Duration
}

func (c *client) register(ctx context.Context) error {
	var resp master.RegisterResponse
	body, err := json.Marshal(master.RegisterRequest{Name: c.name, Host: c.host, Version: c.version})
	if err != nil {
		return err
	}
	if err := c.call(ctx, http.MethodPost, "register", c.enrollment, bytes.NewReader(body), "application/json", &resp); err != nil {
		return err
	}
	c.mu.Lock()
	c.token, c.lease = resp.Token, time.Duration(resp.LeaseMS)*time.Millisecond
	c.mu.Unlock()
	return nil
}

// registered tells whether the client holds a worker token.
func (c *client) registered() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token != ""
}

func (c *client) leaseDuration() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lease
}

// do calls an endpoint with the worker's token, registering again once when the master no longer
// knows the token (it restarted).
func (c *client) do(ctx context.Context, method, path string, body func() io.Reader, contentType string, out any) error {
	c.mu.Lock()
	token := c.token
	c.mu.Unlock()
	err := c.call(ctx, method, path, token, body(), contentType, out)
	var se *StatusError
	if errors.As(err, &se) && se.Status == http.StatusUnauthorized {
		if err := c.register(ctx); err != nil {
			var se *StatusError
			if errors.As(err, &se) && se.Status/100 == 4 {
				return fmt.Errorf("%w: registering again: %s", ErrUnregistered, se.Error())
			}
			return fmt.Errorf("registering again: %w", err)
		}
		c.mu.Lock()
		token = c.token
		c.mu.Unlock()
		return c.call(ctx, method, path, token, body(), contentType, out)
	}
	return err
}

// postJSON calls an endpoint with a JSON body.
func (c *client) postJSON(ctx context.Context, path string, in, out any) error {
	data, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, path, func() io.Reader { return bytes.NewReader(data) }, "application/json", out)
}

func (c *client) call(ctx context.Context, method, path, token string, body io.Reader, contentType string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+master.RawPrefix+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("reaching the master: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
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
		return &StatusError{Status: resp.StatusCode, Msg: msg}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("reading the master's answer: %w", err)
		}
	}
	return nil
}
