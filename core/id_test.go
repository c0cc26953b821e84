package core

import (
	"fmt"
	"testing"
)

// Request ids made up by the Worker are 16 lower-case hex digits, as
// fmt's %016x made them, and differ from one event to the next.
func TestNewIDFormat(t *testing.T) {
	w := &Worker{}
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := w.newID()
		var v uint64
		if n, err := fmt.Sscanf(id, "%016x", &v); n != 1 || err != nil || fmt.Sprintf("%016x", v) != id {
			t.Fatalf("id %q is not 16 hex digits", id)
		}
		if seen[id] {
			t.Fatalf("id %q made twice", id)
		}
		seen[id] = true
	}
}
