// Package localindex owns PYTI's offline package index for tests and demos.
//
// It builds the example Python projects under testdata/examples (their sdists
// and, where they build, wheels) without any network, caching the results by a
// content hash of each example, and it serves a directory of distributions as
// a faithful Simple Repository API over HTTP: PEP 503 HTML and PEP 691 JSON
// chosen by the Accept header, PEP 658/714 core metadata files, PEP 592 yanks
// and PEP 700 versions, sizes and upload times.
//
// Examples marked hostile in their pyti-example.toml never have their code run
// on the host: their sdists are packed in Go from the checked-in PKG-INFO.
//
// Typical use, as in `pyti analyze` on the examples and `make demo`:
//
//	set, err := localindex.Build(ctx, "testdata/examples", outDir, logger,
//		localindex.WithCacheDir(localindex.DefaultCacheDir()))
//	srv, err := localindex.Start(set.Dir)
//	defer srv.Close()
//	// point pip or PYTI at srv.SimpleURL()
package localindex
