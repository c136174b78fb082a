// Package image owns PYTI's clean environment images: Debian root file systems built with
// debootstrap (one per release, each with its own Python, pip wheel, venv, compiler, headers and
// the tools the tasks use), stored read-only under DATA-DIR/images/NAME with a manifest, and
// identified by a content hash over every path, mode, owner, link target and file content, so a
// report can say exactly what it ran on. The sandbox shows an image's system directories
// read-only (sandbox.Spec.Image = Store.Root(name)); without an image the host is the default.
package image
