package master

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

// Limits of a report a worker uploads: far above what an analysis writes, far below what would
// burden the store or a page that shows it.
const (
	maxReportReason   = 64 << 10
	maxReportFindings = 10000
	maxReportFiles    = 10000
	maxReportArts     = 10000
	maxReportProblems = 10000
	maxShortField     = 1024
)

// knownVerdicts are the verdicts a report may carry.
var knownVerdicts = map[report.Verdict]bool{
	report.VerdictPassed: true, report.VerdictTestsFailed: true, report.VerdictNoTests: true,
	report.VerdictImportFailed: true, report.VerdictInstall: true, report.VerdictBuild: true,
	report.VerdictFetch: true, report.VerdictNotFound: true, report.VerdictHarmful: true,
	report.VerdictUnsafe: true, report.VerdictLimits: true, report.VerdictMalformed: true,
	report.VerdictTimeout: true, report.VerdictOOM: true, report.VerdictPids: true,
	report.VerdictNoSpace: true, report.VerdictError: true, report.VerdictNotApplicable: true,
}

// specName is the project a job's spec names, "" when the spec is not a requirement.
func specName(spec string) string {
	r, err := pep440.ParseRequirement(spec)
	if err != nil {
		return ""
	}
	return r.Name
}

// checkReport checks an uploaded report against the job it claims to be the result of: the
// schema, the request, the project and version the spec asks for, and the report's limits. A
// worker can still lie about what it saw, but not file a verdict under another job, project or
// version, nor overload the store.
func checkReport(j store.Job, rep *report.Report) error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !report.Readable(rep.Schema) {
		bad("schema %q, want %q", shorten(rep.Schema), report.Schema)
	}
	if !knownVerdicts[rep.Verdict] {
		bad("verdict %q is not one of PYTI's", shorten(string(rep.Verdict)))
	}
	if rep.Request.Spec != j.Spec {
		bad("the report answers %q, the job asked for %q", shorten(rep.Request.Spec), j.Spec)
	}
	if rep.Request.Local {
		bad("the report is of a local path, the job named a project on an index")
	}
	req, err := pep440.ParseRequirement(j.Spec)
	if err != nil {
		bad("the job's spec: %v", err)
	} else {
		switch {
		case strings.TrimSpace(rep.Project) == "" && rep.Verdict != report.VerdictNotFound && rep.Verdict != report.VerdictError:
			bad("the report names no project (only a not-found result may)")
		case strings.TrimSpace(rep.Project) != "" && pep440.NormalizeName(rep.Project) != pep440.NormalizeName(req.Name):
			bad("the report is of project %q, the job asked for %q", shorten(rep.Project), req.Name)
		}
		if rep.Version != "" && !versionMatches(req.Specifier, rep.Version) {
			bad("version %q does not satisfy the job's %q", shorten(rep.Version), j.Spec)
		}
	}
	for name, v := range map[string]string{"project": rep.Project, "version": rep.Version, "request.index_url": rep.Request.IndexURL, "id": rep.ID} {
		if len(v) > maxShortField {
			bad("%s has %d bytes, at most %d", name, len(v), maxShortField)
		}
	}
	if len(rep.Reason) > maxReportReason {
		bad("the reason has %d bytes, at most %d", len(rep.Reason), maxReportReason)
	}
	for _, c := range []struct {
		what  string
		n, at int
	}{
		{"findings", len(rep.Findings), maxReportFindings},
		{"files", len(rep.Files), maxReportFiles},
		{"artifacts", len(rep.Artifacts), maxReportArts},
		{"metadata problems", len(rep.Problems), maxReportProblems},
		{"matrix cells", len(rep.Matrix), MaxImages},
	} {
		if c.n > c.at {
			bad("%d %s, at most %d", c.n, c.what, c.at)
		}
	}
	for _, a := range rep.Artifacts {
		if a.Size < 0 || a.Size > kindOf(a).limit() {
			bad("artifact %q: size %d is beyond the limit of a %s (%d)", shorten(a.Path), a.Size, kindOf(a), kindOf(a).limit())
		}
	}
	return errors.Join(errs...)
}

// versionMatches tells whether a reported version satisfies the job's specifiers; any
// version satisfies none, and pre-releases count (the resolver may have had nothing else).
func versionMatches(s pep440.SpecifierSet, version string) bool {
	if len(s) == 0 {
		return true
	}
	v, err := pep440.Parse(version)
	if err != nil {
		return s.ContainsString(version) // "===" matches a version that does not parse
	}
	return s.Contains(v, true)
}

// blobKind says what an uploaded file is, and so how large it may be.
type blobKind string

const (
	blobLog   blobKind = "log"   // a task's output (text/plain)
	blobTrace blobKind = "trace" // a system-call trace (*.strace)
	blobData  blobKind = "data"  // anything else: JSON, XML, coverage data
)

// limit is the largest file of a kind.
func (k blobKind) limit() int64 {
	switch k {
	case blobLog:
		return 64 << 20
	case blobTrace:
		return 512 << 20
	default:
		return 256 << 20
	}
}

// maxAttemptBlobBytes bounds what one attempt uploads in all.
const maxAttemptBlobBytes = 2 << 30

// parseBlobKind reads the kind query parameter of an upload.
func parseBlobKind(s string) (blobKind, error) {
	switch k := blobKind(s); k {
	case blobLog, blobTrace, blobData:
		return k, nil
	}
	return "", fmt.Errorf("kind %q is not log, trace or data", shorten(s))
}

// kindOf is the kind of a report's artifact.
func kindOf(a report.Artifact) blobKind {
	switch {
	case strings.HasSuffix(a.Name, ".strace"):
		return blobTrace
	case a.MediaType == "text/plain":
		return blobLog
	}
	return blobData
}

// BlobKind is the kind of an artifact (log, trace or data), which a worker names when it uploads
// the file: PUT .../blobs?kind=KIND.
func BlobKind(a report.Artifact) string { return string(kindOf(a)) }

// uploaded is a file uploaded for an attempt.
type uploaded struct {
	kind blobKind
	size int64
}

// attemptKey names one attempt of a job.
type attemptKey struct {
	job    string
	number int
}

// errUploadAgain asks the worker to upload the report's files again (the master restarted
// between the files and the report): 428, which a worker retries.
var errUploadAgain = errors.New("upload the report's files again")
