package manifest

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	m := &Manifest{Schema: Schema, Name: "w", Format: "module", Bundle: BundleFile, Handlers: []string{"fetch", "queue"},
		Vars: map[string]any{"A": "x", "B": map[string]any{"n": 1.0}}, Consumers: []Consumer{{Queue: "jobs", RetryDelay: 5}}}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(b)
	if err != nil || !reflect.DeepEqual(back, m) {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	if c, ok := back.Consumer("jobs"); !ok || c.RetryDelay != 5 {
		t.Errorf("Consumer(jobs) = %+v, %v", c, ok)
	}
	if !back.Has("queue") || back.Has("scheduled") {
		t.Errorf("Has: %v", back.Handlers)
	}

	tests := []struct{ doc, err string }{
		{`{"schema":"ferry.lambda/v0","bundle":"worker.js","format":"module"}`, `schema "ferry.lambda/v0"`},
		{`{"schema":"ferry.lambda/v1","format":"module"}`, "names no bundle"},
		{`{"schema":"ferry.lambda/v1","bundle":"worker.js","format":"esm"}`, `unknown format "esm"`},
		{`{"schema":"ferry.lambda/v1","bundle":"worker.js","format":"module","future_field":1}`, ""},
		{`[]`, "decoding the Ferry manifest"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.doc))
		if tt.err == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.doc, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: err %v, want %q", tt.doc, err, tt.err)
		}
	}
}
