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

// NotApplicable is returned by a task that decides, from its inputs, that it has nothing to do
// here (a release that does not support this interpreter): the task ends skipped with the
// reason, not failed, and the tasks that need what it provides are skipped, naming it.
type NotApplicable struct{ Reason string }

func (e *NotApplicable) Error() string { return "not applicable: " + e.Reason }

// Skip returns the error that ends a task as skipped with reason.
func Skip(reason string) error { return &NotApplicable{Reason: reason} }
