package events

import "github.com/dop251/goja"

// LiveDependents counts the dependent signals of the AbortSignal v that have
// not been collected.
func LiveDependents(v goja.Value) int {
	s, _ := InternalAs[*signal](v)
	n := 0
	for _, w := range s.dependents {
		if w.Value() != nil {
			n++
		}
	}
	return n
}
