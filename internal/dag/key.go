package dag

import "reflect"

// AnyKey is the untyped view of a Key, used to declare what a task needs and
// provides. Only Key values implement it.
type AnyKey interface {
	// Name is the datum's name, unique in a graph.
	Name() string
	// Type is the Go type of the datum's value.
	Type() reflect.Type
	isKey()
}

// Key names one datum of type T exchanged between tasks.
type Key[T any] struct {
	name string
}

// NewKey returns the key for the datum called name holding a T.
func NewKey[T any](name string) Key[T] {
	return Key[T]{name: name}
}

// Name returns the datum's name.
func (k Key[T]) Name() string { return k.name }

// Type returns reflect.TypeFor[T]().
func (k Key[T]) Type() reflect.Type { return reflect.TypeFor[T]() }

func (k Key[T]) isKey() {}

// String returns the datum's name.
func (k Key[T]) String() string { return k.name }

// Get returns the datum's value in d and whether it is present. It reports
// false when the value is absent (for instance an optional need whose
// producer failed). Reading a datum the task did not declare, or with a key
// of another type, also reports false and fails the task.
func (k Key[T]) Get(d *Data) (T, bool) {
	var zero T
	v, ok := d.get(k.name, k.Type())
	if !ok {
		return zero, false
	}
	t, ok := v.(T)
	if !ok {
		// Only reachable for a nil interface value stored as T.
		return zero, true
	}
	return t, true
}

// Publish stores v as the datum's value in d and hands it at once to the tasks that need it,
// which may start before the task ends (see Task.Early). Publishing a datum the task does not
// declare in Early, or publishing it twice, is ignored and fails the task.
func (k Key[T]) Publish(d *Data, v T) {
	d.publish(k.name, k.Type(), v)
}

// Set stores v as the datum's value in d. Writing a datum the task did not
// declare in Provides, or with a key of another type, is ignored and fails
// the task.
func (k Key[T]) Set(d *Data, v T) {
	d.set(k.name, k.Type(), v)
}
