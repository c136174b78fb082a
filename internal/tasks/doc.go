// Package tasks is PYTI's analysis pipeline: one file per task of the design (resolve, download,
// unpack, inspect, fetch, build, install (with venv, which makes the environment beside the
// build), import, test, lint, report), wired into a data-dependency graph that internal/dag runs. Tasks pass what later tasks need (paths, the release, the
// environment) as typed data through the graph; what each task found goes into the report being
// assembled, even when the task fails, so that a failed build still shows its error lines and
// whatever its setup.py did.
package tasks
