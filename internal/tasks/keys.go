package tasks

import (
	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
)

// Request is what the user asked to analyse.
type Request struct {
	// Spec is a requirement ("name", "name==1.2", "name>=1,<2") or a path to an sdist, a wheel or
	// a source directory.
	Spec string
	// Path is set (absolute) when Spec names a local file or directory.
	Path string
}

// Release is what resolve chose.
type Release struct {
	Project string
	Version string
	// Files of the release on the index; nil for a local request.
	Index *pypi.Release
	// Chosen is the file analysed: the sdist when there is one, else a wheel.
	Chosen *pypi.File
}

// Archive is the distribution file on the host, verified.
type Archive struct {
	Path     string
	Filename string
	SHA256   string
	// Kind is "sdist", "wheel" or "tree" (a local source directory).
	Kind string
}

// Source is the unpacked distribution.
type Source struct {
	// Root is the directory holding the project (the sdist's name-version/ directory).
	Root string
	// Kind repeats Archive.Kind.
	Kind      string
	Metadata  *pkgmeta.CoreMetadata
	Pyproject *pkgmeta.Pyproject
	SetupCfg  *pkgmeta.SetupCfg
}

// Wheelhouse is the job's directory of every distribution the offline steps may install.
type Wheelhouse struct {
	Dir string
	// TestRequirements are the requirement strings for the project's tests that resolved.
	TestRequirements []string
	// Extras are the project's extras for tests that resolved.
	Extras []string
	// Tools are the test tools PYTI adds because the project does not declare them.
	Tools []string
	// Unfetchable are dependencies of the package the index does not have: the package is then
	// installed without its dependencies (its code still runs; the verdict is unresolvable).
	Unfetchable []string
	// BackendAsked says the fetch already asked the build backend what it needs beyond the build
	// requirements (get_requires_for_build_wheel, preparing the metadata on the cached build
	// environment); BackendMissing is the part of its answer those requirements lack. The build
	// does not ask again, as pip, which prepares the metadata and builds in one build
	// environment, asks once.
	BackendAsked   bool
	BackendMissing []string
}

// Wheel is the built (or given) wheel.
type Wheel struct {
	Path string
	// Filename is the wheel's own name (Path may be a content-addressed cache file).
	Filename string
	// Modules are the importable modules it provides (top-level ones, and the portions of
	// namespace packages by their dotted name).
	Modules []string
	// Layout is everything the import check reaches: Modules, code not importable by name,
	// the modules inside packages, .pth files.
	Layout Layout
	// Metadata is the built wheel's own metadata (nil for a wheel given, or none readable).
	Metadata *report.Metadata
}

// Environment is the fresh environment the wheel was installed into.
type Environment struct {
	Venv         string
	Python       string // the environment's interpreter
	SitePackages string
}

// Venv is the fresh environment the install will fill (made by the venv task, beside the
// build), or why it could not be made: then Made is false and Phase and Output say what happened.
type Venv struct {
	Env    Environment
	Made   bool
	Phase  report.Phase
	Output string
	Result *sandbox.Result
}

// Imported says the import step ran; the test step waits for it, because it adds test
// dependencies to the environment.
type Imported struct{ OK bool }

// The data of the graph.
var (
	KRequest   = dag.NewKey[Request]("request")
	KRelease   = dag.NewKey[Release]("release")
	KArchive   = dag.NewKey[Archive]("archive")
	KSource    = dag.NewKey[Source]("source-tree")
	KInspected = dag.NewKey[bool]("inspection")
	// The wheelhouse, wheel, environment, import and test results are per target (see target).
	KLinted = dag.NewKey[bool]("lint-results")
	// kEarlyLint is the linters' run lint-start began (nil: none), for lint to keep or stop.
	kEarlyLint = dag.NewKey[*earlyLint]("early-lint")
	KReport    = dag.NewKey[string]("report")
)
