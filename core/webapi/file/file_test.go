package file

import (
	"math"
	"testing"

	"github.com/dop251/goja"
)

func TestNormalizeType(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"text/plain", "text/plain"},
		{"Text/HTML;Charset=UTF-8", "text/html;charset=utf-8"},
		{" image/gif ", " image/gif "},
		{"\timage/gif", ""},
		{"image/gif\x7f", ""},
		{"imäge/gif", ""},
		{"a\x00b", ""},
	} {
		if got := NormalizeType(tt.in); got != tt.want {
			t.Errorf("NormalizeType(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSliceBounds(t *testing.T) {
	u := goja.Undefined()
	n := func(f float64) goja.Value { return goja.New().ToValue(f) }
	for _, tt := range []struct {
		name       string
		start, end goja.Value
		want       [2]int
	}{
		{"defaults", u, u, [2]int{0, 10}},
		{"negative start", n(-3), u, [2]int{7, 10}},
		{"start before 0", n(-30), u, [2]int{0, 10}},
		{"end past size", n(2), n(99), [2]int{2, 10}},
		{"negative end", n(0), n(-4), [2]int{0, 6}},
		{"end before start", n(7), n(4), [2]int{7, 7}},
		{"fractions truncate", n(1.9), n(-1.9), [2]int{1, 9}},
		{"NaN is 0", n(math.NaN()), n(math.NaN()), [2]int{0, 0}},
		{"infinity is 0", n(math.Inf(1)), u, [2]int{0, 10}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, e := sliceBounds(10, tt.start, tt.end)
			if [2]int{s, e} != tt.want {
				t.Errorf("got [%d, %d], want %v", s, e, tt.want)
			}
		})
	}
}

func TestToLongLong(t *testing.T) {
	vm := goja.New()
	for _, tt := range []struct {
		in   float64
		want int64
	}{
		{42, 42}, {-1.9, -1}, {math.NaN(), 0}, {math.Inf(-1), 0}, {1 << 63, math.MinInt64}, {1 << 64, 0}, {-(1 << 64) - 4096, -4096},
	} {
		if got := toLongLong(vm.ToValue(tt.in)); got != tt.want {
			t.Errorf("toLongLong(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// Blobs are immutable, so slicing and wrapping share bytes instead of copying.
func TestBlobsShareBytes(t *testing.T) {
	vm := goja.New()
	Install(vm)
	v, err := vm.RunString(`const big = new Blob(["0123456789"]); [big, big.slice(3, 6), new Blob([big]), new File([big], "f")]`)
	if err != nil {
		t.Fatal(err)
	}
	arr := v.(*goja.Object)
	get := func(i string) *Blob {
		b, ok := Unwrap(arr.Get(i))
		if !ok {
			t.Fatalf("element %s is not a Blob", i)
		}
		return b
	}
	orig, slice, wrapped, file := get("0"), get("1"), get("2"), get("3")
	if string(slice.Bytes()) != "345" || &slice.Bytes()[0] != &orig.Bytes()[3] {
		t.Errorf("slice copied or wrong: %q", slice.Bytes())
	}
	if cap(slice.Bytes()) != 3 {
		t.Errorf("slice capacity %d lets appends reach the shared bytes", cap(slice.Bytes()))
	}
	if &wrapped.Bytes()[0] != &orig.Bytes()[0] || &file.Bytes()[0] != &orig.Bytes()[0] {
		t.Error("a Blob made of one Blob copied its bytes")
	}
	if !file.IsFile() || file.Name() != "f" || orig.IsFile() {
		t.Errorf("IsFile/Name: %v %q %v", file.IsFile(), file.Name(), orig.IsFile())
	}
	c := file.Clone()
	if c == file || !c.IsFile() || c.Name() != "f" || c.LastModified() != file.LastModified() || &c.Bytes()[0] != &orig.Bytes()[0] {
		t.Errorf("Clone: %+v", c)
	}
}

// Go code makes Blobs and Files with the runtime's prototypes.
func TestWrap(t *testing.T) {
	vm := goja.New()
	a := Install(vm)
	_ = vm.Set("b", a.Wrap(NewBlob([]byte("from go"), "Text/Plain")))
	_ = vm.Set("f", a.Wrap(NewFile([]byte("x"), "n.txt", "", 7)))
	v, err := vm.RunString(`(async () => [b instanceof Blob, b instanceof File, b.type, await b.text(),
		f instanceof File, f.name, f.lastModified, f.type].join())()`)
	if err != nil {
		t.Fatal(err)
	}
	p := v.Export().(*goja.Promise)
	if p.State() != goja.PromiseStateFulfilled {
		t.Fatalf("promise %v: %v", p.State(), p.Result())
	}
	if got, want := p.Result().String(), "true,false,text/plain,from go,true,n.txt,7,"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Without a ReadableStream provider, stream() says what is missing instead of
// failing obscurely.
func TestStreamWithoutProvider(t *testing.T) {
	vm := goja.New()
	Install(vm)
	v, err := vm.RunString(`try { new Blob(["x"]).stream(); "no error" } catch (e) { e.name + ": " + e.message }`)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.String(); got != "TypeError: Blob.stream() needs ReadableStream, which this runtime does not have" {
		t.Errorf("got %q", got)
	}
}
