package follow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Feed paths on the index's host.
const (
	UpdatesPath  = "/rss/updates.xml"
	PackagesPath = "/rss/packages.xml"
)

// Config configures a follower.
type Config struct {
	// BaseURL is the index's web host (default https://pypi.org).
	BaseURL string
	Client  *http.Client
	// UserAgent identifies PYTI to the index, as its etiquette asks.
	UserAgent string
	// StatePath is the file holding the remembered position.
	StatePath string
	// Interval between polls (default and minimum 60s for pypi.org; tests may go lower with
	// another BaseURL).
	Interval time.Duration
	// Include keeps only names matching one of these glob patterns (path.Match, on lower-cased
	// names); Exclude drops names matching any. Empty Include keeps all.
	Include, Exclude []string
	// OnlyNew follows new projects only (the packages feed) instead of every release.
	OnlyNew bool
	// MaxPerHour bounds the submissions per hour; 0 means no bound. Releases beyond it are
	// skipped and counted.
	MaxPerHour int
	// Backfill submits what the feed holds on the very first poll; by default the first poll only
	// takes the position.
	Backfill bool
	// Submit receives each poll's releases, oldest first; the position advances only when it
	// returns nil.
	Submit func(ctx context.Context, rs []Release) error
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Follower polls a feed and submits what is new.
type Follower struct {
	cfg  Config
	feed string
	log  *slog.Logger
}

// New checks the configuration and makes a follower.
func New(cfg Config) (*Follower, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://pypi.org"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.StatePath == "" || cfg.Submit == nil {
		return nil, errors.New("follow: a state path and a submit function are required")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Minute
	}
	if strings.Contains(cfg.BaseURL, "pypi.org") && cfg.Interval < time.Minute {
		cfg.Interval = time.Minute
	}
	for _, p := range append(append([]string{}, cfg.Include...), cfg.Exclude...) {
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("follow: name pattern %q: %w", p, err)
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	f := &Follower{cfg: cfg, feed: cfg.BaseURL + UpdatesPath, log: cfg.Logger}
	if cfg.OnlyNew {
		f.feed = cfg.BaseURL + PackagesPath
	}
	return f, nil
}

// PollResult says what one poll did.
type PollResult struct {
	// NotModified is true when the index answered 304.
	NotModified bool
	Submitted   []Release
	// Filtered counts new entries dropped by the name patterns; OverBudget those dropped by
	// MaxPerHour.
	Filtered, OverBudget int
	// MaybeMissed is true when every entry of the feed was new: more may have been published
	// than the feed holds.
	MaybeMissed bool
	// RetryAfter is the wait the index asked for (429 or 503), zero otherwise.
	RetryAfter time.Duration
}

// Poll fetches the feed once, submits the new releases that pass the filters and saves the
// position.
func (f *Follower) Poll(ctx context.Context) (PollResult, error) {
	var res PollResult
	st, known, err := loadState(f.cfg.StatePath)
	if err != nil {
		return res, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.feed, nil)
	if err != nil {
		return res, err
	}
	if f.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", f.cfg.UserAgent)
	}
	if st.ETag != "" {
		req.Header.Set("If-None-Match", st.ETag)
	}
	if st.LastModified != "" {
		req.Header.Set("If-Modified-Since", st.LastModified)
	}
	resp, err := f.cfg.Client.Do(req)
	if err != nil {
		return res, fmt.Errorf("fetching %s: %w", f.feed, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified:
		res.NotModified = true
		return res, nil
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		res.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), f.cfg.Now())
		return res, fmt.Errorf("fetching %s: %s (retry after %s)", f.feed, resp.Status, res.RetryAfter)
	default:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return res, fmt.Errorf("fetching %s: %s", f.feed, resp.Status)
	}
	items, err := parseFeed(resp.Body, f.cfg.OnlyNew)
	if err != nil {
		return res, fmt.Errorf("%s: %w", f.feed, err)
	}
	// The feed lists the newest first; ties keep that order, reversed.
	slices.Reverse(items)
	sort.SliceStable(items, func(i, j int) bool { return items[i].Time.Before(items[j].Time) })
	var fresh []Release
	for _, r := range items {
		if !known || st.after(r) {
			fresh = append(fresh, r)
		}
	}
	res.MaybeMissed = known && len(items) > 0 && len(fresh) == len(items)
	if res.MaybeMissed {
		f.log.Warn("every entry of the feed is new: releases published between two polls may have been missed", "feed", f.feed)
	}
	now := f.cfg.Now()
	var recent []time.Time
	for _, t := range st.Submitted {
		if now.Sub(t) < time.Hour {
			recent = append(recent, t)
		}
	}
	var submit []Release
	if known || f.cfg.Backfill {
		for _, r := range fresh {
			switch {
			case !f.wanted(r.Name):
				res.Filtered++
			case f.cfg.MaxPerHour > 0 && len(recent) >= f.cfg.MaxPerHour:
				res.OverBudget++
			default:
				submit = append(submit, r)
				recent = append(recent, now)
			}
		}
	}
	if len(submit) > 0 {
		if err := f.cfg.Submit(ctx, submit); err != nil {
			return res, fmt.Errorf("submitting %d releases: %w", len(submit), err)
		}
	}
	res.Submitted = submit
	for _, r := range fresh {
		st.advance(r)
	}
	st.Submitted = recent
	st.ETag, st.LastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if err := st.save(f.cfg.StatePath); err != nil {
		return res, err
	}
	return res, nil
}

// wanted applies the name patterns.
func (f *Follower) wanted(name string) bool {
	n := strings.ToLower(name)
	for _, p := range f.cfg.Exclude {
		if ok, _ := path.Match(strings.ToLower(p), n); ok {
			return false
		}
	}
	if len(f.cfg.Include) == 0 {
		return true
	}
	for _, p := range f.cfg.Include {
		if ok, _ := path.Match(strings.ToLower(p), n); ok {
			return true
		}
	}
	return false
}

// Run polls every Interval until ctx ends, waiting longer when the index asks for it or fails.
func (f *Follower) Run(ctx context.Context) error {
	backoff := f.cfg.Interval
	for {
		res, err := f.Poll(ctx)
		wait := f.cfg.Interval
		switch {
		case err != nil && ctx.Err() != nil:
			return nil
		case err != nil:
			backoff = min(backoff*2, time.Hour)
			wait = max(backoff, res.RetryAfter)
			f.log.Warn("following the index", "err", err, "next", wait)
		default:
			backoff = f.cfg.Interval
			if len(res.Submitted) > 0 || res.OverBudget > 0 {
				f.log.Info("followed the index", "submitted", len(res.Submitted), "filtered", res.Filtered, "over_budget", res.OverBudget)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); at least a minute.
func retryAfter(v string, now time.Time) time.Duration {
	d := time.Minute
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(v); err == nil && t.Sub(now) > 0 {
		d = t.Sub(now)
	}
	return max(d, time.Minute)
}
