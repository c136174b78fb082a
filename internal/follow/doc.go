// Package follow owns following an index for new uploads: it polls PyPI's RSS feeds
// (/rss/updates.xml for every new release, /rss/packages.xml for new projects) with conditional
// requests, remembers its position in a state file so that a restart neither repeats nor skips
// what it saw, filters what it found (name patterns, only new projects, at most N per hour) and
// hands the releases to a submit function. PyPI's XML-RPC changelog is deprecated, so it is not
// used. The feeds list only the latest few dozen entries: when more arrived between two polls, the
// follower says that some may have been missed.
package follow
