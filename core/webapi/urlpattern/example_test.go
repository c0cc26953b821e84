package urlpattern_test

import (
	"fmt"

	"github.com/ferry-run/ferry/core/webapi/urlpattern"
)

func ExampleNew() {
	p, err := urlpattern.New("https://:tenant.example.com/books/:id(\\d+)", urlpattern.Options{})
	if err != nil {
		panic(err)
	}
	r := p.Exec("https://acme.example.com/books/123", nil)
	fmt.Println(r.Components[urlpattern.Hostname].Groups[0].Value, r.Components[urlpattern.Pathname].Groups[0].Value)
	fmt.Println(p.Test("https://acme.example.com/books/abc", nil))
	// Output:
	// acme 123
	// false
}
