package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/bindings/r2"
	"github.com/ferry-run/ferry/core/config"
)

const r2Usage = `Usage: ferry r2 object COMMAND [ARGS] --binding NAME [flags] [DIR]

Reads and writes the local R2 data ferry dev uses for the Worker in DIR
(default: the current directory); it works while ferry dev runs.

Commands:
  ferry r2 object list [--prefix P] [DIR]          print the objects as JSON
  ferry r2 object get KEY [--file F] [DIR]         print the object (or save it to F)
  ferry r2 object put KEY --file F [DIR]           store the contents of F
  ferry r2 object put KEY VALUE [DIR]              store VALUE
  ferry r2 object delete KEY [DIR]                 remove KEY

The bucket is the r2_buckets entry with --binding NAME in the wrangler config
(its preview_bucket_name if set, else its bucket_name), or --bucket NAME.

Flags:
`

type r2Options struct {
	state        stateOptions
	binding      string
	bucket       string
	envName      string
	prefix       string
	file         string
	contentType  string
	cacheControl string
}

func r2Flags(st *State) (*flag.FlagSet, *r2Options) {
	o := &r2Options{}
	fs := newFlagSet(st, "r2", r2Usage)
	fs.StringVar(&o.binding, "binding", "", "the binding name of an r2_buckets entry in the wrangler config")
	fs.StringVar(&o.bucket, "bucket", "", "the bucket name, instead of --binding")
	fs.StringVar(&o.envName, "env", "", "wrangler environment ([env.NAME]) to use")
	fs.StringVar(&o.prefix, "prefix", "", "list: only keys starting with this")
	fs.StringVar(&o.file, "file", "", "put: read the value from this file; get: write it there")
	fs.StringVar(&o.contentType, "content-type", "", "put: the object's Content-Type")
	fs.StringVar(&o.cacheControl, "cache-control", "", "put: the object's Cache-Control")
	o.state.register(fs)
	return fs, o
}

func runR2(st *State, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 0 {
			return &usageError{msg: "ferry r2 needs a command", usage: r2Usage}
		}
		fs, _ := r2Flags(st)
		fs.SetOutput(st.Stdout)
		fs.Usage()
		return nil
	}
	if args[0] != "object" {
		return &usageError{msg: fmt.Sprintf("unknown ferry r2 command %q (only \"object\" for now)", args[0]), usage: r2Usage}
	}
	if len(args) < 2 {
		return &usageError{msg: "ferry r2 object needs list, get, put or delete", usage: r2Usage}
	}
	cmd := args[1]
	fs, o := r2Flags(st)
	pos, err := parseInterspersed(fs, args[2:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error(), usage: r2Usage}
	}
	want := map[string]int{"list": 0, "get": 1, "delete": 1, "put": 2}
	n, known := want[cmd]
	if !known {
		return &usageError{msg: fmt.Sprintf("unknown ferry r2 object command %q", cmd), usage: r2Usage}
	}
	if cmd == "put" && o.file != "" {
		n = 1
	}
	if len(pos) < n || len(pos) > n+1 {
		return &usageError{msg: fmt.Sprintf("ferry r2 object %s takes %d argument(s) and an optional DIR, got %q", cmd, n, pos), usage: r2Usage}
	}
	wd, err := st.Getwd()
	if err != nil {
		return err
	}
	dir := wd
	if len(pos) == n+1 {
		dir = absFrom(wd, pos[n])
	}
	b, closeStore, err := o.open(wd, dir)
	if err != nil {
		return err
	}
	defer closeStore()
	ctx := st.Ctx
	switch cmd {
	case "list":
		return r2List(ctx, st, b, o.prefix)
	case "get":
		res, err := b.Get(ctx, pos[0], r2.GetOptions{})
		if err != nil {
			return err
		}
		if res == nil {
			fmt.Fprintf(st.Stderr, "The specified key does not exist: %s\n", pos[0])
			return exitCode(1)
		}
		defer res.Body.Close()
		if o.file == "" {
			_, err = io.Copy(st.Stdout, res.Body)
			return err
		}
		return writeFileFrom(absFrom(wd, o.file), res.Body)
	case "delete":
		return b.Delete(ctx, []string{pos[0]})
	default: // put
		var value io.Reader
		if o.file != "" {
			f, err := os.Open(absFrom(wd, o.file))
			if err != nil {
				return err
			}
			defer f.Close()
			value = f
		} else {
			value = strings.NewReader(pos[1])
		}
		opts := r2.PutOptions{HTTPMetadata: r2.HTTPMetadata{ContentType: o.contentType, CacheControl: o.cacheControl}}
		_, err := b.Put(ctx, pos[0], value, opts)
		return err
	}
}

// writeFileFrom writes r to path through a temporary file, so a failed read
// leaves no half file.
func writeFileFrom(path string, r io.Reader) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".ferry-r2-*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}

// open finds the bucket in the project in dir and opens its store.
func (o *r2Options) open(wd, dir string) (r2.Bucket, func(), error) {
	root := dir
	name := o.bucket
	if name == "" {
		if o.binding == "" {
			return nil, nil, &usageError{msg: "ferry r2 object needs --binding NAME (or --bucket NAME)", usage: r2Usage}
		}
		path, err := config.Find(dir)
		if err != nil {
			return nil, nil, err
		}
		cfg, _, err := config.Load(path, o.envName)
		if err != nil {
			return nil, nil, err
		}
		root = cfg.Dir
		var names []string
		for _, b := range cfg.R2Buckets {
			if b.Binding == o.binding {
				name = r2BucketName(b)
			}
			names = append(names, b.Binding)
		}
		if name == "" {
			have := "it has none"
			if len(names) > 0 {
				have = "it has " + strings.Join(names, ", ")
			}
			return nil, nil, fmt.Errorf("%s has no r2_buckets entry with binding %q (%s)", path, o.binding, have)
		}
	} else if path, err := config.Find(dir); err == nil {
		root = filepath.Dir(path)
	}
	if o.state.NoPersist {
		return nil, nil, errors.New("--no-persist makes no sense for ferry r2: the data would vanish at once")
	}
	store, err := local.Open(o.state.dir(wd, root))
	if err != nil {
		return nil, nil, err
	}
	b, err := store.R2(name)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return b, func() { store.Close() }, nil
}

// r2List prints every object (all pages) as a JSON array of {key, size,
// etag, uploaded, httpMetadata?, customMetadata?}.
func r2List(ctx context.Context, st *State, b r2.Bucket, prefix string) error {
	type object struct {
		Key            string            `json:"key"`
		Size           int64             `json:"size"`
		ETag           string            `json:"etag"`
		Uploaded       string            `json:"uploaded"`
		ContentType    string            `json:"contentType,omitempty"`
		CustomMetadata map[string]string `json:"customMetadata,omitempty"`
	}
	out := []object{}
	opts := r2.ListOptions{Prefix: prefix, IncludeHTTPMetadata: true, IncludeCustomMetadata: true}
	for {
		res, err := b.List(ctx, opts)
		if err != nil {
			return err
		}
		for _, o := range res.Objects {
			e := object{Key: o.Key, Size: o.Size, ETag: o.ETag, Uploaded: o.Uploaded.UTC().Format(time.RFC3339Nano), CustomMetadata: o.CustomMetadata}
			if o.HTTPMetadata != nil {
				e.ContentType = o.HTTPMetadata.ContentType
			}
			out = append(out, e)
		}
		if !res.Truncated {
			break
		}
		opts.Cursor = res.Cursor
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(st.Stdout, "%s\n", data)
	return err
}
