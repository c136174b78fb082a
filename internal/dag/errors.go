package dag

import "errors"

// Errors returned by New (wrapped, possibly several joined) and Runner.Run.
var (
	ErrCycle            = errors.New("dependency cycle")
	ErrDuplicateTask    = errors.New("duplicate task name")
	ErrDuplicateProvide = errors.New("datum provided twice")
	ErrMissingProvider  = errors.New("datum provided by nothing")
	ErrTypeConflict     = errors.New("datum declared with two types")
	ErrInvalidTask      = errors.New("invalid task")
	ErrMissingInput     = errors.New("initial datum missing")
)
