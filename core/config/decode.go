package config

import (
	"fmt"
	"math"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// decoder validates a node tree and collects warnings and errors with their
// file positions. It never stops at the first problem: one run reports every
// error in the file.
type decoder struct {
	file     string
	format   format
	dir      string // absolute directory of the file
	warnings []Warning
	errs     Errors
}

func (d *decoder) warn(line int, key, msg string, args ...any) {
	d.warnings = append(d.warnings, Warning{File: d.file, Line: line, Key: key, Message: fmt.Sprintf(msg, args...)})
}

func (d *decoder) fail(line int, key, msg string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Key: key, Message: fmt.Sprintf(msg, args...)})
}

// typeErr reports that n at key is not of the wanted type.
func (d *decoder) typeErr(n *node, key, want string) {
	msg := fmt.Sprintf("expected %s, got %s", want, n.describe(d.format))
	if n.kind == kDatetime && want == "string" {
		msg += " (put the value in quotes)"
	}
	d.fail(n.line, key, "%s", msg)
}

func (d *decoder) sortErrors() {
	sort.SliceStable(d.errs, func(i, j int) bool { return d.errs[i].Line < d.errs[j].Line })
}

// join appends key to a dotted path, quoting keys that are not bare TOML keys.
func join(path, key string) string {
	if !isBareKey(key) {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func isBareKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !isBareKeyChar(k[i]) {
			return false
		}
	}
	return true
}

// ---- scalar helpers: each reports its own error and returns ok=false ----

func (d *decoder) str(n *node, key string) (string, bool) {
	if n.kind != kString {
		d.typeErr(n, key, "string")
		return "", false
	}
	return n.str, true
}

// nonEmpty is str that also rejects "".
func (d *decoder) nonEmpty(n *node, key string) (string, bool) {
	s, ok := d.str(n, key)
	if ok && s == "" {
		d.fail(n.line, key, "must not be empty")
		return "", false
	}
	return s, ok
}

func (d *decoder) boolean(n *node, key string) (bool, bool) {
	if n.kind != kBool {
		d.typeErr(n, key, "boolean")
		return false, false
	}
	return n.b, true
}

func (d *decoder) number(n *node, key string) (float64, bool) {
	if n.kind != kInt && n.kind != kFloat {
		d.typeErr(n, key, "number")
		return 0, false
	}
	if math.IsNaN(n.num) || math.IsInf(n.num, 0) {
		d.fail(n.line, key, "expected a finite number, got %s", formatNumber(n))
		return 0, false
	}
	return n.num, true
}

// integer accepts a whole number within [min, max].
func (d *decoder) integer(n *node, key string, min, max int) (int, bool) {
	var v int
	switch {
	case n.kind == kInt:
		if n.inum < int64(min) || n.inum > int64(max) {
			d.fail(n.line, key, "must be between %d and %d, got %d", min, max, n.inum)
			return 0, false
		}
		v = int(n.inum)
	case n.kind == kFloat && n.num == math.Trunc(n.num):
		if n.num < float64(min) || n.num > float64(max) {
			d.fail(n.line, key, "must be between %d and %d, got %s", min, max, formatNumber(n))
			return 0, false
		}
		v = int(n.num)
	default:
		d.typeErr(n, key, "integer")
		return 0, false
	}
	return v, true
}

func (d *decoder) strings(n *node, key string) ([]string, bool) {
	if n.kind != kArray {
		d.typeErr(n, key, "array of strings")
		return nil, false
	}
	out := make([]string, 0, len(n.elems))
	ok := true
	for i, e := range n.elems {
		s, good := d.str(e, index(key, i))
		ok = ok && good
		out = append(out, s)
	}
	return out, ok
}

// object checks that n is an object and warns about members not in known.
func (d *decoder) object(n *node, key string, known ...string) bool {
	if n.kind != kObject {
		d.typeErr(n, key, d.objectName())
		return false
	}
	if known != nil {
		for _, k := range n.keys {
			if !contains(known, k) {
				d.unknown(n.fields[k], join(key, k))
			}
		}
	}
	return true
}

func (d *decoder) objectName() string {
	if d.format == formatTOML {
		return "table"
	}
	return "object"
}

func (d *decoder) unknown(n *node, key string) {
	d.warn(n.line, key, "unknown key %q (ignored)", key)
}

// objects calls fn for each element of the array n, after checking that the
// element is an object with only known members.
func (d *decoder) objects(n *node, key string, known []string, fn func(e *node, key string)) {
	if n.kind != kArray {
		d.typeErr(n, key, "array of "+d.objectName()+"s")
		return
	}
	for i, e := range n.elems {
		k := index(key, i)
		if d.object(e, k, known...) {
			fn(e, k)
		}
	}
}

// required reports a missing member of the object n and returns the member.
func (d *decoder) required(n *node, key, member string) *node {
	m := n.get(member)
	if m == nil {
		d.fail(n.line, join(key, member), "required key is missing")
	}
	return m
}

// optional calls fn when the object n has member.
func optional(n *node, key, member string, fn func(m *node, key string)) {
	if m := n.get(member); m != nil {
		fn(m, join(key, member))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// path resolves a path from the file against the file's directory.
func (d *decoder) path(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(d.dir, p)
}

// ---- layers ----

// layer is the top level or one [env.NAME] table, decoded on its own.
type layer struct {
	path string // "" or "env.NAME"
	node *node
	w    Worker
	has  map[string]bool // keys the table sets (known keys only)
	refs []bindingRef
}

// bindingRef remembers where a binding name was declared, to report clashes.
type bindingRef struct {
	name string
	key  string // dotted key of the declaration
	top  string // top-level key it belongs to ("kv_namespaces")
	line int
}

// workerNameRE is wrangler's rule for Worker names.
var workerNameRE = regexp.MustCompile(`^$|^[a-z0-9_][a-z0-9-_]*$`)

var (
	htmlHandlings     = []string{"auto-trailing-slash", "force-trailing-slash", "drop-trailing-slash", "none"}
	notFoundHandlings = []string{"single-page-application", "404-page", "none"}
)

// decodeLayer decodes the keys of one table. top is true for the file's top
// level, where "env" and the top-level-only keys belong.
func (d *decoder) decodeLayer(obj *node, path string, top bool) *layer {
	l := &layer{path: path, node: obj, has: map[string]bool{}}
	w := &l.w
	for _, k := range obj.keys {
		n := obj.fields[k]
		key := join(path, k)
		switch {
		case topLevelOnly[k]:
			if !top {
				d.warn(n.line, key, "%q is only valid at the top level of the file, not in %q (ignored)", k, path)
				continue
			}
			if k == "env" {
				l.has[k] = true
				continue // decoded by worker()
			}
			setExtra(w, k, n)
		case inheritableExtra[k] || nonInheritableExtra[k]:
			setExtra(w, k, n)
		case inheritableModeled[k] || nonInheritableModeled[k]:
			d.decodeKey(l, k, n, key)
		case retiredKeys[k] != "":
			d.warn(n.line, key, "%s", retiredKeys[k])
			continue
		default:
			d.unknown(n, key)
			continue
		}
		l.has[k] = true
	}
	return l
}

func setExtra(w *Worker, k string, n *node) {
	if w.Extra == nil {
		w.Extra = map[string]any{}
	}
	w.Extra[k] = n.toAny()
}

// decodeKey decodes one key Ferry interprets into l.w.
func (d *decoder) decodeKey(l *layer, k string, n *node, key string) {
	w := &l.w
	ref := func(name, key string, line int) {
		l.refs = append(l.refs, bindingRef{name: name, key: key, top: k, line: line})
	}
	switch k {
	case "name":
		if s, ok := d.str(n, key); ok {
			if !workerNameRE.MatchString(s) {
				d.fail(n.line, key, "expected lowercase letters, digits, '-' and '_' only (not starting with '-'), got %q", s)
				return
			}
			w.Name = s
		}
	case "main":
		if s, ok := d.str(n, key); ok && s != "" {
			w.Main = d.path(s)
		}
	case "compatibility_date":
		if s, ok := d.str(n, key); ok {
			if _, err := time.Parse("2006-01-02", s); err != nil {
				d.fail(n.line, key, "expected a date as YYYY-MM-DD, got %q", s)
				return
			}
			w.CompatibilityDate = s
		}
	case "compatibility_flags":
		if s, ok := d.strings(n, key); ok {
			w.CompatibilityFlags = s
		}
	case "vars":
		if d.object(n, key) {
			w.Vars = make(map[string]any, len(n.keys))
			for _, name := range n.keys {
				w.Vars[name] = n.fields[name].toAny()
				ref(name, join(key, name), n.fields[name].line)
			}
		}
	case "define":
		if d.object(n, key) {
			w.Define = make(map[string]string, len(n.keys))
			for _, name := range n.keys {
				if s, ok := d.str(n.fields[name], join(key, name)); ok {
					w.Define[name] = s
				}
			}
		}
	case "triggers":
		if d.object(n, key, "crons", "events") {
			optional(n, key, "crons", func(m *node, key string) {
				w.Triggers.Crons, _ = d.strings(m, key)
			})
		}
	case "limits":
		if d.object(n, key, "cpu_ms", "subrequests") {
			optional(n, key, "cpu_ms", func(m *node, key string) {
				// Cloudflare allows up to 5 minutes of CPU time per invocation.
				w.Limits.CPUMs, _ = d.integer(m, key, 1, 300_000)
			})
			optional(n, key, "subrequests", func(m *node, key string) {
				w.Limits.Subrequests, _ = d.integer(m, key, 1, math.MaxInt32)
			})
		}
	case "ferry":
		if d.object(n, key, "allow_private_fetch", "aws") {
			optional(n, key, "allow_private_fetch", func(m *node, key string) {
				w.Ferry.AllowPrivateFetch, _ = d.boolean(m, key)
				l.has["ferry.allow_private_fetch"] = true
			})
			optional(n, key, "aws", func(m *node, key string) {
				w.Ferry.AWS = d.aws(m, key)
				l.has["ferry.aws"] = true
			})
		}
	case "kv_namespaces":
		d.objects(n, key, []string{"binding", "id", "preview_id", "remote", "experimental_remote"}, func(e *node, key string) {
			var kv KVNamespace
			if b := d.required(e, key, "binding"); b != nil {
				kv.Binding, _ = d.nonEmpty(b, join(key, "binding"))
				ref(kv.Binding, join(key, "binding"), b.line)
			}
			optional(e, key, "id", func(m *node, key string) { kv.ID, _ = d.nonEmpty(m, key) })
			optional(e, key, "preview_id", func(m *node, key string) { kv.PreviewID, _ = d.nonEmpty(m, key) })
			d.remote(e, key, &kv.Remote)
			w.KVNamespaces = append(w.KVNamespaces, kv)
		})
	case "r2_buckets":
		d.objects(n, key, []string{"binding", "bucket_name", "preview_bucket_name", "jurisdiction", "remote", "experimental_remote", "local_dev"}, func(e *node, key string) {
			var r2 R2Bucket
			if b := d.required(e, key, "binding"); b != nil {
				r2.Binding, _ = d.nonEmpty(b, join(key, "binding"))
				ref(r2.Binding, join(key, "binding"), b.line)
			}
			optional(e, key, "bucket_name", func(m *node, key string) { r2.BucketName, _ = d.nonEmpty(m, key) })
			optional(e, key, "preview_bucket_name", func(m *node, key string) { r2.PreviewBucketName, _ = d.nonEmpty(m, key) })
			optional(e, key, "jurisdiction", func(m *node, key string) { r2.Jurisdiction, _ = d.str(m, key) })
			d.remote(e, key, &r2.Remote)
			w.R2Buckets = append(w.R2Buckets, r2)
		})
	case "queues":
		if !d.object(n, key, "producers", "consumers") {
			return
		}
		optional(n, key, "producers", func(m *node, key string) {
			d.objects(m, key, []string{"binding", "queue", "delivery_delay", "remote", "experimental_remote"}, func(e *node, key string) {
				var p QueueProducer
				if b := d.required(e, key, "binding"); b != nil {
					p.Binding, _ = d.nonEmpty(b, join(key, "binding"))
					ref(p.Binding, join(key, "binding"), b.line)
				}
				optional(e, key, "queue", func(m *node, key string) { p.Queue, _ = d.nonEmpty(m, key) })
				optional(e, key, "delivery_delay", func(m *node, key string) { p.DeliveryDelay = d.intPtr(m, key, 0, MaxDelaySecondsLimit) })
				d.remote(e, key, &p.Remote)
				w.Queues.Producers = append(w.Queues.Producers, p)
			})
		})
		optional(n, key, "consumers", func(m *node, key string) {
			known := []string{"queue", "type", "max_batch_size", "max_batch_timeout", "max_retries", "dead_letter_queue", "max_concurrency", "visibility_timeout_ms", "retry_delay"}
			d.objects(m, key, known, func(e *node, key string) {
				var c QueueConsumer
				if q := d.required(e, key, "queue"); q != nil {
					c.Queue, _ = d.nonEmpty(q, join(key, "queue"))
				}
				optional(e, key, "type", func(m *node, key string) {
					if s, ok := d.str(m, key); ok && s != "worker" {
						d.fail(m.line, key, `only "worker" consumers can be configured in a wrangler file, got %q`, s)
					} else {
						c.Type = s
					}
				})
				optional(e, key, "max_batch_size", func(m *node, key string) { c.MaxBatchSize = d.intPtr(m, key, 1, MaxBatchSizeLimit) })
				optional(e, key, "max_batch_timeout", func(m *node, key string) {
					if v, ok := d.number(m, key); ok {
						if v < 0 || v > MaxBatchTimeoutLimit {
							d.fail(m.line, key, "must be between 0 and %d seconds, got %s", MaxBatchTimeoutLimit, formatNumber(m))
							return
						}
						c.MaxBatchTimeout = &v
					}
				})
				optional(e, key, "max_retries", func(m *node, key string) { c.MaxRetries = d.intPtr(m, key, 0, MaxRetriesLimit) })
				optional(e, key, "dead_letter_queue", func(m *node, key string) { c.DeadLetterQueue, _ = d.nonEmpty(m, key) })
				optional(e, key, "retry_delay", func(m *node, key string) { c.RetryDelay = d.intPtr(m, key, 0, MaxDelaySecondsLimit) })
				optional(e, key, "max_concurrency", func(m *node, key string) {
					if m.kind != kNull { // null means "scale freely", as when absent
						c.MaxConcurrency = d.intPtr(m, key, 1, MaxConsumerConcurrency)
					}
				})
				optional(e, key, "visibility_timeout_ms", func(m *node, key string) { c.VisibilityTimeoutMs = d.intPtr(m, key, 0, math.MaxInt32) })
				w.Queues.Consumers = append(w.Queues.Consumers, c)
			})
		})
	case "d1_databases":
		known := []string{"binding", "database_name", "database_id", "preview_database_id", "migrations_table", "migrations_dir", "migrations_pattern", "database_internal_env", "jurisdiction", "remote", "experimental_remote"}
		d.objects(n, key, known, func(e *node, key string) {
			db := D1Database{MigrationsDir: d.path("migrations"), MigrationsTable: DefaultD1MigrationsTable}
			if b := d.required(e, key, "binding"); b != nil {
				db.Binding, _ = d.nonEmpty(b, join(key, "binding"))
				ref(db.Binding, join(key, "binding"), b.line)
			}
			optional(e, key, "database_name", func(m *node, key string) { db.DatabaseName, _ = d.nonEmpty(m, key) })
			optional(e, key, "database_id", func(m *node, key string) { db.DatabaseID, _ = d.nonEmpty(m, key) })
			optional(e, key, "preview_database_id", func(m *node, key string) { db.PreviewDatabaseID, _ = d.nonEmpty(m, key) })
			optional(e, key, "migrations_table", func(m *node, key string) {
				if s, ok := d.nonEmpty(m, key); ok {
					db.MigrationsTable = s
				}
			})
			optional(e, key, "migrations_dir", func(m *node, key string) {
				if s, ok := d.nonEmpty(m, key); ok {
					db.MigrationsDir = d.path(s)
				}
			})
			d.remote(e, key, &db.Remote)
			w.D1Databases = append(w.D1Databases, db)
		})
	case "durable_objects":
		if !d.object(n, key, "bindings", "code_update_strategy") {
			return
		}
		optional(n, key, "bindings", func(m *node, key string) {
			d.objects(m, key, []string{"name", "class_name", "script_name", "environment"}, func(e *node, key string) {
				var b DurableObjectBinding
				if m := d.required(e, key, "name"); m != nil {
					b.Name, _ = d.nonEmpty(m, join(key, "name"))
					ref(b.Name, join(key, "name"), m.line)
				}
				if m := d.required(e, key, "class_name"); m != nil {
					b.ClassName, _ = d.nonEmpty(m, join(key, "class_name"))
				}
				optional(e, key, "script_name", func(m *node, key string) { b.ScriptName, _ = d.nonEmpty(m, key) })
				optional(e, key, "environment", func(m *node, key string) { b.Environment, _ = d.nonEmpty(m, key) })
				w.DurableObjects.Bindings = append(w.DurableObjects.Bindings, b)
			})
		})
	case "migrations":
		known := []string{"tag", "new_classes", "new_sqlite_classes", "renamed_classes", "deleted_classes", "transferred_classes"}
		d.objects(n, key, known, func(e *node, key string) {
			var mg DurableObjectMigration
			if m := d.required(e, key, "tag"); m != nil {
				mg.Tag, _ = d.nonEmpty(m, join(key, "tag"))
			}
			optional(e, key, "new_classes", func(m *node, key string) { mg.NewClasses, _ = d.strings(m, key) })
			optional(e, key, "new_sqlite_classes", func(m *node, key string) { mg.NewSqliteClasses, _ = d.strings(m, key) })
			optional(e, key, "deleted_classes", func(m *node, key string) { mg.DeletedClasses, _ = d.strings(m, key) })
			optional(e, key, "renamed_classes", func(m *node, key string) {
				d.objects(m, key, []string{"from", "to"}, func(e *node, key string) {
					var rc RenamedClass
					if f := d.required(e, key, "from"); f != nil {
						rc.From, _ = d.nonEmpty(f, join(key, "from"))
					}
					if t := d.required(e, key, "to"); t != nil {
						rc.To, _ = d.nonEmpty(t, join(key, "to"))
					}
					mg.RenamedClasses = append(mg.RenamedClasses, rc)
				})
			})
			optional(e, key, "transferred_classes", func(m *node, key string) {
				d.objects(m, key, []string{"from", "from_script", "to"}, func(e *node, key string) {
					var tc TransferredClass
					for _, f := range []struct {
						name string
						dst  *string
					}{{"from", &tc.From}, {"from_script", &tc.FromScript}, {"to", &tc.To}} {
						if v := d.required(e, key, f.name); v != nil {
							*f.dst, _ = d.nonEmpty(v, join(key, f.name))
						}
					}
					mg.TransferredClasses = append(mg.TransferredClasses, tc)
				})
			})
			w.Migrations = append(w.Migrations, mg)
		})
	case "services":
		known := []string{"binding", "service", "entrypoint", "environment", "props", "remote", "experimental_remote"}
		d.objects(n, key, known, func(e *node, key string) {
			var s ServiceBinding
			if b := d.required(e, key, "binding"); b != nil {
				s.Binding, _ = d.nonEmpty(b, join(key, "binding"))
				ref(s.Binding, join(key, "binding"), b.line)
			}
			if m := d.required(e, key, "service"); m != nil {
				s.Service, _ = d.nonEmpty(m, join(key, "service"))
			}
			optional(e, key, "entrypoint", func(m *node, key string) { s.Entrypoint, _ = d.nonEmpty(m, key) })
			optional(e, key, "environment", func(m *node, key string) { s.Environment, _ = d.nonEmpty(m, key) })
			optional(e, key, "props", func(m *node, key string) {
				if d.object(m, key) {
					s.Props, _ = m.toAny().(map[string]any)
				}
			})
			d.remote(e, key, &s.Remote)
			w.Services = append(w.Services, s)
		})
	case "assets":
		if !d.object(n, key, "directory", "binding", "html_handling", "not_found_handling", "run_worker_first", "base_path") {
			return
		}
		a := &Assets{HTMLHandling: htmlHandlings[0], NotFoundHandling: "none"}
		if m := d.required(n, key, "directory"); m != nil {
			if s, ok := d.nonEmpty(m, join(key, "directory")); ok {
				a.Directory = d.path(s)
			}
		}
		optional(n, key, "binding", func(m *node, key string) {
			if s, ok := d.nonEmpty(m, key); ok {
				a.Binding = s
				ref(s, key, m.line)
			}
		})
		optional(n, key, "html_handling", func(m *node, key string) { d.oneOf(m, key, htmlHandlings, &a.HTMLHandling) })
		optional(n, key, "not_found_handling", func(m *node, key string) { d.oneOf(m, key, notFoundHandlings, &a.NotFoundHandling) })
		optional(n, key, "run_worker_first", func(m *node, key string) {
			switch m.kind {
			case kBool:
				a.RunWorkerFirst = m.b
			case kArray:
				a.RunWorkerFirstPatterns, _ = d.strings(m, key)
			default:
				d.typeErr(m, key, "boolean or array of strings")
			}
		})
		w.Assets = a
	case "secrets":
		if d.object(n, key, "required") {
			optional(n, key, "required", func(m *node, key string) {
				names, _ := d.strings(m, key)
				w.SecretsRequired = names
				if names == nil {
					w.SecretsRequired = []string{}
				}
				for i, name := range names {
					ref(name, index(key, i), m.elems[i].line)
				}
			})
		}
	}
}

// aws decodes [ferry.aws].
func (d *decoder) aws(n *node, key string) *AWS {
	if !d.object(n, key, "region", "endpoint", "kv_overflow_bucket", "kv", "r2", "queues") {
		return nil
	}
	a := &AWS{}
	optional(n, key, "region", func(m *node, key string) { a.Region, _ = d.nonEmpty(m, key) })
	optional(n, key, "endpoint", func(m *node, key string) {
		if s, ok := d.nonEmpty(m, key); ok {
			if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				d.fail(m.line, key, "expected an http or https URL, got %q", s)
				return
			}
			a.Endpoint = s
		}
	})
	optional(n, key, "kv_overflow_bucket", func(m *node, key string) { a.KVOverflowBucket, _ = d.nonEmpty(m, key) })
	names := func(member string) map[string]string {
		var out map[string]string
		optional(n, key, member, func(m *node, key string) {
			if !d.object(m, key) {
				return
			}
			out = make(map[string]string, len(m.keys))
			for _, k := range m.keys {
				if s, ok := d.nonEmpty(m.fields[k], join(key, k)); ok {
					out[k] = s
				}
			}
		})
		return out
	}
	a.KV, a.R2, a.Queues = names("kv"), names("r2"), names("queues")
	return a
}

// remote decodes the optional `remote` flag of a binding; older wrangler
// versions spelled it `experimental_remote`.
func (d *decoder) remote(e *node, key string, dst *bool) {
	for _, name := range []string{"remote", "experimental_remote"} {
		optional(e, key, name, func(m *node, key string) {
			if b, ok := d.boolean(m, key); ok {
				*dst = *dst || b
			}
		})
	}
}

func (d *decoder) intPtr(n *node, key string, min, max int) *int {
	if v, ok := d.integer(n, key, min, max); ok {
		return &v
	}
	return nil
}

func (d *decoder) oneOf(n *node, key string, allowed []string, dst *string) {
	s, ok := d.str(n, key)
	if !ok {
		return
	}
	if !contains(allowed, s) {
		d.fail(n.line, key, "expected one of %s, got %q", quoteList(allowed), s)
		return
	}
	*dst = s
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
