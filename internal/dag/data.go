package dag

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
)

// Data holds datum values. The caller fills one with NewData and Key.Set to
// supply a graph's initial data; each task receives its own Data limited to
// what it declared; a Result carries one with every value produced.
// A Data is safe for concurrent use.
type Data struct {
	mu   sync.Mutex
	vals map[string]entry
	// decl, when not nil, restricts access: only these names, with these
	// types, may be read; only names in write may be written.
	decl       map[string]reflect.Type
	write      map[string]bool
	sealed     bool
	violations []string
	// early are the names the task may publish, and published those it did; onPublish hands a
	// published value to the scheduler.
	early, published map[string]bool
	onPublish        func(name string, e entry)
}

type entry struct {
	typ reflect.Type
	v   any
}

// NewData returns an empty, unrestricted Data.
func NewData() *Data {
	return &Data{vals: map[string]entry{}}
}

// Has reports whether a value for name is present.
func (d *Data) Has(name string) bool {
	if d == nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.vals[name]
	return ok
}

// Names returns the names of the values present, sorted.
func (d *Data) Names() []string {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	names := make([]string, 0, len(d.vals))
	for n := range d.vals {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (d *Data) get(name string, typ reflect.Type) (any, bool) {
	if d == nil {
		return nil, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.decl != nil {
		want, ok := d.decl[name]
		if !ok {
			d.violate(fmt.Sprintf("read undeclared datum %q", name))
			return nil, false
		}
		if want != typ {
			d.violate(fmt.Sprintf("read datum %q as %v, but it is declared as %v", name, typ, want))
			return nil, false
		}
	}
	e, ok := d.vals[name]
	if !ok {
		return nil, false
	}
	if e.typ != typ {
		d.violate(fmt.Sprintf("read datum %q as %v, but it holds %v", name, typ, e.typ))
		return nil, false
	}
	return e.v, true
}

func (d *Data) set(name string, typ reflect.Type, v any) {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sealed {
		return
	}
	if d.decl != nil {
		if !d.write[name] {
			d.violate(fmt.Sprintf("wrote datum %q, which it does not provide", name))
			return
		}
		if want := d.decl[name]; want != typ {
			d.violate(fmt.Sprintf("wrote datum %q as %v, but it is declared as %v", name, typ, want))
			return
		}
	}
	if d.published[name] {
		return // a published datum keeps its value
	}
	if d.vals == nil {
		d.vals = map[string]entry{}
	}
	d.vals[name] = entry{typ: typ, v: v}
}

// publish sets name and hands its value to onPublish (see Key.Publish).
func (d *Data) publish(name string, typ reflect.Type, v any) {
	if d == nil {
		return
	}
	d.mu.Lock()
	switch {
	case d.sealed:
		d.mu.Unlock()
		return
	case !d.early[name]:
		d.violate(fmt.Sprintf("published datum %q, which it does not declare in Early", name))
		d.mu.Unlock()
		return
	case d.published[name]:
		d.violate(fmt.Sprintf("published datum %q twice", name))
		d.mu.Unlock()
		return
	case d.decl[name] != typ:
		d.violate(fmt.Sprintf("published datum %q as %v, but it is declared as %v", name, typ, d.decl[name]))
		d.mu.Unlock()
		return
	}
	e := entry{typ: typ, v: v}
	d.vals[name] = e
	d.published[name] = true
	hand := d.onPublish
	d.mu.Unlock()
	if hand != nil {
		hand(name, e)
	}
}

// violate records a misuse; d.mu must be held.
func (d *Data) violate(msg string) {
	if !slices.Contains(d.violations, msg) {
		d.violations = append(d.violations, msg)
	}
}

// lookup returns the raw entry for name, ignoring restrictions.
func (d *Data) lookup(name string) (entry, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.vals[name]
	return e, ok
}

// seal stops all further writes and returns the entries for names together
// with the violations recorded so far.
func (d *Data) seal(names []string) (map[string]entry, []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sealed = true
	out := make(map[string]entry, len(names))
	for _, n := range names {
		if e, ok := d.vals[n]; ok {
			out[n] = e
		}
	}
	return out, slices.Clone(d.violations)
}
