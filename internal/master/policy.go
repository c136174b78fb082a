package master

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/pyti/pyti/internal/store"
)

// Bounds of one job, checked at submit: a job that passes them can always be stored, published
// on the queue and shown.
const (
	MaxSpecBytes  = 512
	MaxIndexBytes = 2048
)

// PolicyError is a job refused at submit; Rule names the rule it broke, for the operator and the
// client (the Command API answers 400 or 403 with it).
type PolicyError struct {
	Rule string
	Msg  string
	// Forbidden is true when the job is well formed but the operator's policy does not allow it.
	Forbidden bool
}

func (e *PolicyError) Error() string { return fmt.Sprintf("%s (rule %s)", e.Msg, e.Rule) }

// Is makes a PolicyError a store.ErrInvalid, so that callers of Submit see one kind of refusal.
func (e *PolicyError) Is(target error) bool { return target == store.ErrInvalid }

// Rules a job can break.
const (
	RuleSpec          = "spec"           // not a requirement naming a project on an index
	RuleSpecTooLong   = "spec-too-long"  // longer than MaxSpecBytes
	RuleImages        = "images"         // not valid image names, or too many
	RuleIndexURL      = "index-url"      // not an http or https URL without credentials
	RuleIndexTooLong  = "index-too-long" // longer than MaxIndexBytes
	RuleIndexNotAllow = "index-not-allowed"
)

// IndexPolicy says which indexes a job may name. A job that names none runs on the workers' own
// index (their --index-url), which the operator configured. Otherwise the job's index must be one
// of Allowed, compared after normalisation (scheme and host lower case, a path ending in "/"):
// allowing an index allows that index, never its host's other ports or paths, never a private
// network because the operator's mirror lives on one.
type IndexPolicy struct {
	Allowed []string
}

// NewIndexPolicy checks the operator's list of indexes.
func NewIndexPolicy(allowed []string) (IndexPolicy, error) {
	p := IndexPolicy{}
	for _, a := range allowed {
		n, err := normalizeIndex(a)
		if err != nil {
			return IndexPolicy{}, fmt.Errorf("allowed index %q: %w", a, err)
		}
		p.Allowed = append(p.Allowed, n)
	}
	return p, nil
}

// normalizeIndex checks that raw is an absolute http(s) URL with a host and without credentials,
// a query or a fragment, and returns it with scheme and host in lower case and a path ending in "/".
func normalizeIndex(raw string) (string, error) {
	if strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "", errors.New("contains spaces or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("not a URL")
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return "", errors.New("not an absolute URL (want http:// or https://)")
	default:
		return "", fmt.Errorf("scheme %q is not allowed (want http or https)", u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return "", errors.New("the URL names no host")
	}
	if u.User != nil {
		return "", errors.New("credentials in a job's index URL are not accepted (jobs are public; the operator configures credentials on the workers)")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", errors.New("an index URL has no query or fragment")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	return u.String(), nil
}

// checkIndex accepts "" (the workers' own index) and the allowed indexes.
func (p IndexPolicy) checkIndex(index string) error {
	if index == "" {
		return nil
	}
	if len(index) > MaxIndexBytes {
		return &PolicyError{Rule: RuleIndexTooLong, Msg: fmt.Sprintf("the index URL has %d bytes, at most %d are accepted", len(index), MaxIndexBytes)}
	}
	n, err := normalizeIndex(index)
	if err != nil {
		return &PolicyError{Rule: RuleIndexURL, Msg: fmt.Sprintf("index %q: %v", shorten(index), err)}
	}
	for _, a := range p.Allowed {
		if n == a {
			return nil
		}
	}
	msg := fmt.Sprintf("index %s is not one the operator allows jobs to name", n)
	if len(p.Allowed) == 0 {
		msg += " (none is allowed: jobs run on the workers' own index; the operator lists others with pyti serve --job-index)"
	} else {
		msg += fmt.Sprintf(" (allowed: %s)", strings.Join(p.Allowed, ", "))
	}
	return &PolicyError{Rule: RuleIndexNotAllow, Msg: msg, Forbidden: true}
}

// CheckJob checks one job against the bounds and the policy.
func (p IndexPolicy) CheckJob(j store.NewJob) error {
	if len(j.Spec) > MaxSpecBytes {
		return &PolicyError{Rule: RuleSpecTooLong, Msg: fmt.Sprintf("the spec has %d bytes, at most %d are accepted", len(j.Spec), MaxSpecBytes)}
	}
	if !utf8.ValidString(j.Spec) {
		return &PolicyError{Rule: RuleSpec, Msg: "the spec is not UTF-8"}
	}
	if err := checkSpec(j.Spec); err != nil {
		return &PolicyError{Rule: RuleSpec, Msg: err.Error()}
	}
	if err := CheckImages(j.Images); err != nil {
		return &PolicyError{Rule: RuleImages, Msg: err.Error()}
	}
	return p.checkIndex(j.Index)
}

// shorten keeps a refused value short in a message.
func shorten(s string) string {
	if len(s) <= 100 {
		return s
	}
	return s[:100] + "..."
}
