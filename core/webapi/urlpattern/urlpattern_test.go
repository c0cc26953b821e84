package urlpattern

import (
	"errors"
	"sync"
	"testing"
)

func TestGoAPI(t *testing.T) {
	for _, tc := range []struct {
		name    string
		compile func() (*Pattern, error)
		input   string
		base    *string
		want    map[Component][]Group // groups of the components listed; nil: no match
	}{
		{
			name:    "constructor string",
			compile: func() (*Pattern, error) { return New("https://:sub.example.com/books/:id", Options{}) },
			input:   "https://www.example.com/books/42",
			want: map[Component][]Group{
				Hostname: {{Name: "sub", Value: "www", Matched: true}},
				Pathname: {{Name: "id", Value: "42", Matched: true}},
				Search:   {{Name: "0", Value: "", Matched: true}},
				Port:     nil,
			},
		},
		{
			name:    "relative pattern and relative input",
			compile: func() (*Pattern, error) { return NewWithBase("/books/:id?", "https://example.com", Options{}) },
			input:   "/books", base: ptr("https://example.com/shelf"),
			want: map[Component][]Group{Pathname: {{Name: "id"}}},
		},
		{
			name:    "init",
			compile: func() (*Pattern, error) { return FromInit(Init{Pathname: ptr("/files/*")}, Options{}) },
			input:   "http://localhost:8787/files/a/b.txt",
			want:    map[Component][]Group{Pathname: {{Name: "0", Value: "a/b.txt", Matched: true}}},
		},
		{
			name: "ignore case",
			compile: func() (*Pattern, error) {
				return FromInit(Init{Pathname: ptr("/Files/:name")}, Options{IgnoreCase: true})
			},
			input: "http://localhost/FILES/X",
			want:  map[Component][]Group{Pathname: {{Name: "name", Value: "X", Matched: true}}},
		},
		{
			name:    "no match",
			compile: func() (*Pattern, error) { return New("https://example.com/books/:id", Options{}) },
			input:   "https://example.com/authors/1",
		},
		{
			name:    "unparsable input does not match",
			compile: func() (*Pattern, error) { return FromInit(Init{}, Options{}) },
			input:   "not a URL",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.compile()
			if err != nil {
				t.Fatal(err)
			}
			r := p.Exec(tc.input, tc.base)
			if got := p.Test(tc.input, tc.base); got != (r != nil) {
				t.Errorf("Test %v, Exec %v", got, r != nil)
			}
			if (r != nil) != (tc.want != nil) {
				t.Fatalf("match %v, want %v", r != nil, tc.want != nil)
			}
			for c, want := range tc.want {
				got := r.Components[c].Groups
				if len(got) != len(want) {
					t.Errorf("%s groups %v, want %v", c, got, want)
					continue
				}
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("%s groups %v, want %v", c, got, want)
					}
				}
			}
		})
	}
}

func TestGoAPIGetters(t *testing.T) {
	p, err := NewWithBase("/books/(\\d+)", "https://example.com:8080?x", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := [nComponents]string{"https", "*", "*", "example.com", "8080", "/books/(\\d+)", "*", "*"}
	for c := range nComponents {
		if got := p.Component(c); got != want[c] {
			t.Errorf("%s = %q, want %q", c, got, want[c])
		}
	}
	if !p.HasRegExpGroups() {
		t.Error("HasRegExpGroups false")
	}
	r := p.ExecInit(Init{Pathname: ptr("/books/7"), BaseURL: ptr("https://example.com:8080")})
	if r == nil || r.Components[Pathname].Input != "/books/7" || r.Components[Pathname].Groups[0].Value != "7" {
		t.Errorf("ExecInit = %+v", r)
	}
}

func TestGoAPIErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  func() error
	}{
		{"relative without base", func() error { _, err := New("/books", Options{}); return err }},
		{"bad base", func() error { _, err := NewWithBase("/books", "::", Options{}); return err }},
		{"bad regexp", func() error { _, err := FromInit(Init{Pathname: ptr("/(a")}, Options{}); return err }},
		{"bad hostname", func() error { _, err := FromInit(Init{Hostname: ptr("a b")}, Options{}); return err }},
		{"port out of range", func() error {
			_, err := FromInit(Init{Protocol: ptr("http"), Port: ptr("100000")}, Options{})
			return err
		}},
	} {
		err := tc.err()
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want *Error", tc.name, err)
		}
	}
}

// TestConcurrentUse matches one Pattern from several goroutines, as
// runtimes sharing a compiled pattern would (run with -race).
func TestConcurrentUse(t *testing.T) {
	p, err := FromInit(Init{Pathname: ptr("/:a((?!x)[a-z]+)/:b(\\d+)")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				r := p.Exec("https://example.com/abc/123", nil)
				if r == nil || r.Components[Pathname].Groups[1].Value != "123" {
					t.Error("bad match")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestHasRegExpGroups(t *testing.T) {
	for _, tc := range []struct {
		name string
		init Init
		want bool
	}{
		{"empty", Init{}, false},
		{"named and wildcard", Init{Pathname: ptr("/:id/*")}, false},
		{"full wildcard spelled out", Init{Pathname: ptr("/(.*)")}, false},
		{"segment wildcard spelled out", Init{Pathname: ptr("/:id([^\\/]+?)")}, false},
		{"hostname segment wildcard", Init{Hostname: ptr(":sub([^\\.]+?).example")}, false},
		{"pathname regexp", Init{Pathname: ptr("/:id(\\d+)")}, true},
		{"protocol regexp", Init{Protocol: ptr("(https?)")}, true},
		{"hash regexp", Init{Hash: ptr("(a|b)")}, true},
	} {
		p, err := FromInit(tc.init, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.HasRegExpGroups(); got != tc.want {
			t.Errorf("%s: HasRegExpGroups %v, want %v", tc.name, got, tc.want)
		}
	}
}
