// Package tasks is PYTI's analysis pipeline: one file per task of the design (resolve, download,
// unpack, inspect, fetch, build, install (with venv, which makes the environment beside the
// build), import, test, lint, report), wired into a data-dependency graph that internal/dag runs.
// Tasks pass what later tasks need (paths, the release, the environment) as typed data through
// the graph. Each task returns its part of the report, even when it fails, so that a failed build
// still shows its error lines, and its run collects what it found on the way (findings, raw data,
// the verdict a failure means) into a slot that only it writes (produce.go). The report task
// assembles the report from those slots in one pure step (assembleReport), and the verdict is one
// pure function of the report, the run's record and the hints (decideVerdict).
//
// To add a task: write it as a method of job returning its output type, give it a slot in
// outputs and a place in assembleReport, and wire it in graph by the data it needs and provides.
package tasks
