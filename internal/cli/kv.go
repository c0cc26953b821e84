package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/core/config"
)

// Local state: where `ferry dev` and `ferry kv` keep bindings' data (how
// wrangler config entries map onto it is internal/serve's, embedded.go).

// stateRoot is the directory the default state directory is in: the
// wrangler config's, or DIR when there is none.
func (p *project) stateRoot() string { return p.served().StateRoot() }

const kvUsage = `Usage: ferry kv key COMMAND [ARGS] --binding NAME [flags] [DIR]

Reads and writes the local KV data ferry dev uses for the Worker in DIR
(default: the current directory), to seed or inspect it; it works while
ferry dev runs.

Commands:
  ferry kv key list [--prefix P] [DIR]           print the keys as JSON
  ferry kv key get KEY [DIR]                     print the value
  ferry kv key put KEY VALUE [DIR]               store VALUE under KEY
  ferry kv key put KEY --path FILE [DIR]         store the contents of FILE
  ferry kv key delete KEY [DIR]                  remove KEY

The namespace is the kv_namespaces entry with --binding NAME in the wrangler
config (its preview_id if set, else its id, as ferry dev uses), or
--namespace-id ID.

Flags:
`

type kvOptions struct {
	state       stateOptions
	binding     string
	namespaceID string
	envName     string
	prefix      string
	path        string
	metadata    string
	ttl         int64
	expiration  int64
}

func kvFlags(st *State) (*flag.FlagSet, *kvOptions) {
	o := &kvOptions{}
	fs := newFlagSet(st, "kv", kvUsage)
	fs.StringVar(&o.binding, "binding", "", "the binding name of a kv_namespaces entry in the wrangler config")
	fs.StringVar(&o.namespaceID, "namespace-id", "", "the namespace id, instead of --binding")
	fs.StringVar(&o.envName, "env", "", "wrangler environment ([env.NAME]) to use")
	fs.StringVar(&o.prefix, "prefix", "", "list: only keys starting with this")
	fs.StringVar(&o.path, "path", "", "put: read the value from this file")
	fs.StringVar(&o.metadata, "metadata", "", "put: JSON metadata stored with the value")
	fs.Int64Var(&o.ttl, "ttl", 0, "put: seconds until the key expires (at least 60)")
	fs.Int64Var(&o.expiration, "expiration", 0, "put: Unix time (seconds) when the key expires")
	o.state.register(fs)
	return fs, o
}

func runKV(st *State, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 0 {
			return &usageError{msg: "ferry kv needs a command", usage: kvUsage}
		}
		fs, _ := kvFlags(st)
		fs.SetOutput(st.Stdout)
		fs.Usage()
		return nil
	}
	if args[0] != "key" {
		return &usageError{msg: fmt.Sprintf("unknown ferry kv command %q (only \"key\" for now)", args[0]), usage: kvUsage}
	}
	if len(args) < 2 {
		return &usageError{msg: "ferry kv key needs list, get, put or delete", usage: kvUsage}
	}
	cmd := args[1]
	fs, o := kvFlags(st)
	pos, err := parseInterspersed(fs, args[2:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error(), usage: kvUsage}
	}
	// Positional arguments: the command's own, then an optional DIR.
	want := map[string]int{"list": 0, "get": 1, "delete": 1, "put": 2}
	n, known := want[cmd]
	if !known {
		return &usageError{msg: fmt.Sprintf("unknown ferry kv key command %q", cmd), usage: kvUsage}
	}
	if cmd == "put" && o.path != "" {
		n = 1
	}
	if len(pos) < n || len(pos) > n+1 {
		return &usageError{msg: fmt.Sprintf("ferry kv key %s takes %d argument(s) and an optional DIR, got %q", cmd, n, pos), usage: kvUsage}
	}
	wd, err := st.Getwd()
	if err != nil {
		return err
	}
	dir := wd
	if len(pos) == n+1 {
		dir = absFrom(wd, pos[n])
	}
	ns, closeStore, err := o.open(wd, dir)
	if err != nil {
		return err
	}
	defer closeStore()
	ctx := st.Ctx
	switch cmd {
	case "list":
		return kvList(ctx, st, ns, o.prefix)
	case "get":
		e, found, err := ns.Get(ctx, pos[0])
		if err != nil {
			return err
		}
		if !found {
			fmt.Fprintln(st.Stderr, "Value not found")
			return exitCode(1)
		}
		_, err = st.Stdout.Write(e.Value)
		return err
	case "delete":
		return ns.Delete(ctx, pos[0])
	default: // put
		var value []byte
		if o.path != "" {
			if value, err = os.ReadFile(absFrom(wd, o.path)); err != nil {
				return err
			}
		} else {
			value = []byte(pos[1])
		}
		opts := kv.PutOptions{ExpirationTTL: time.Duration(o.ttl) * time.Second}
		if o.expiration != 0 {
			opts.Expiration = time.Unix(o.expiration, 0)
		}
		if o.metadata != "" {
			if !json.Valid([]byte(o.metadata)) {
				return fmt.Errorf("--metadata is not valid JSON: %s", o.metadata)
			}
			opts.Metadata = []byte(o.metadata)
		}
		return ns.Put(ctx, pos[0], value, opts)
	}
}

// open finds the namespace in the project in dir and opens its store.
func (o *kvOptions) open(wd, dir string) (kv.Namespace, func(), error) {
	root := dir
	id := o.namespaceID
	if id == "" {
		if o.binding == "" {
			return nil, nil, &usageError{msg: "ferry kv key needs --binding NAME (or --namespace-id ID)", usage: kvUsage}
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
		for _, n := range cfg.KVNamespaces {
			if n.Binding == o.binding {
				id = kvNamespaceID(n)
			}
			names = append(names, n.Binding)
		}
		if id == "" {
			have := "it has none"
			if len(names) > 0 {
				have = "it has " + strings.Join(names, ", ")
			}
			return nil, nil, fmt.Errorf("%s has no kv_namespaces entry with binding %q (%s)", path, o.binding, have)
		}
	} else if path, err := config.Find(dir); err == nil {
		root = filepath.Dir(path)
	}
	if o.state.NoPersist {
		return nil, nil, errors.New("--no-persist makes no sense for ferry kv: the data would vanish at once")
	}
	store, err := local.Open(o.state.dir(wd, root))
	if err != nil {
		return nil, nil, err
	}
	ns, err := store.KV(id)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return ns, func() { store.Close() }, nil
}

// kvList prints every key (all pages) as wrangler does: a JSON array of
// {name, expiration?, metadata?}.
func kvList(ctx context.Context, st *State, ns kv.Namespace, prefix string) error {
	type key struct {
		Name       string          `json:"name"`
		Expiration int64           `json:"expiration,omitempty"`
		Metadata   json.RawMessage `json:"metadata,omitempty"`
	}
	out := []key{}
	opts := kv.ListOptions{Prefix: prefix}
	for {
		res, err := ns.List(ctx, opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			e := key{Name: k.Name, Metadata: k.Metadata}
			if !k.Expiration.IsZero() {
				e.Expiration = k.Expiration.Unix()
			}
			out = append(out, e)
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(st.Stdout, "%s\n", b)
	return err
}
