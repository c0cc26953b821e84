package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/ferry-run/ferry/bindings/d1"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/core/config"
)

// D1 in local state: how d1_databases entries map onto databases, and the
// `ferry d1` command (wrangler d1 execute / migrations on local data).

const d1Usage = `Usage: ferry d1 COMMAND NAME [flags] [DIR]

Runs SQL on the local D1 databases ferry dev uses for the Worker in DIR
(default: the current directory), as wrangler d1 does with --local; it works
while ferry dev runs. NAME is the binding or database_name of a d1_databases
entry in the wrangler config.

Commands:
  ferry d1 execute NAME --command SQL    run SQL (statements separated by ;)
  ferry d1 execute NAME --file FILE      run the SQL in FILE
  ferry d1 migrations list NAME          list the migrations not applied yet
  ferry d1 migrations apply NAME         apply them, in order

A command or file runs in one transaction: all of it or nothing. Migrations
are the .sql files in migrations_dir (default: migrations next to the
config), applied in the order of their number prefix (0001_create.sql, ...)
and recorded in the migrations_table (default d1_migrations), as wrangler
does; each applies in one transaction. Ferry never prompts.

Flags:
`

type d1Options struct {
	state   stateOptions
	envName string
	command string
	file    string
	json    bool
	remote  bool
}

func d1Flags(st *State) (*flag.FlagSet, *d1Options) {
	o := &d1Options{}
	fs := newFlagSet(st, "d1", d1Usage)
	fs.StringVar(&o.command, "command", "", "execute: the SQL to run")
	fs.StringVar(&o.file, "file", "", "execute: a .sql file to run")
	fs.BoolVar(&o.json, "json", false, "execute: print the results as JSON, as wrangler d1 execute --json does")
	fs.StringVar(&o.envName, "env", "", "wrangler environment ([env.NAME]) to use")
	fs.Bool("local", true, "accepted for wrangler compatibility: ferry d1 always works on local data")
	fs.BoolVar(&o.remote, "remote", false, "not supported: ferry d1 works on local data only")
	fs.Bool("yes", false, "accepted for wrangler compatibility: ferry d1 never prompts")
	fs.Bool("y", false, "same as --yes")
	fs.Bool("force", false, "accepted for wrangler compatibility: ferry d1 never prompts")
	o.state.register(fs)
	return fs, o
}

func runD1(st *State, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 0 {
			return &usageError{msg: "ferry d1 needs a command", usage: d1Usage}
		}
		fs, _ := d1Flags(st)
		fs.SetOutput(st.Stdout)
		fs.Usage()
		return nil
	}
	cmd := args[0]
	rest := args[1:]
	switch cmd {
	case "execute":
	case "migrations":
		if len(rest) == 0 || (rest[0] != "list" && rest[0] != "apply") {
			return &usageError{msg: "ferry d1 migrations needs list or apply", usage: d1Usage}
		}
		cmd += " " + rest[0]
		rest = rest[1:]
	default:
		return &usageError{msg: fmt.Sprintf("unknown ferry d1 command %q", cmd), usage: d1Usage}
	}
	fs, o := d1Flags(st)
	pos, err := parseInterspersed(fs, rest)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error(), usage: d1Usage}
	}
	if len(pos) < 1 || len(pos) > 2 {
		return &usageError{msg: fmt.Sprintf("ferry d1 %s takes a database NAME and an optional DIR, got %q", cmd, pos), usage: d1Usage}
	}
	if o.remote {
		return errors.New("ferry d1 works on the local data of ferry dev only; --remote is not supported")
	}
	if o.state.NoPersist {
		return errors.New("--no-persist makes no sense for ferry d1: the data would vanish at once")
	}
	if cmd == "execute" && (o.command == "") == (o.file == "") {
		return &usageError{msg: "ferry d1 execute needs --command SQL or --file FILE (one of them)", usage: d1Usage}
	}
	wd, err := st.Getwd()
	if err != nil {
		return err
	}
	dir := wd
	if len(pos) == 2 {
		dir = absFrom(wd, pos[1])
	}
	path, err := config.Find(dir)
	if err != nil {
		return err
	}
	cfg, _, err := config.Load(path, o.envName)
	if err != nil {
		return err
	}
	entry, err := findD1(cfg, path, pos[0])
	if err != nil {
		return err
	}
	store, err := local.Open(o.state.dir(wd, cfg.Dir))
	if err != nil {
		return err
	}
	defer store.Close()
	db, err := store.D1(d1DatabaseID(entry))
	if err != nil {
		return err
	}
	switch cmd {
	case "execute":
		return d1Execute(st, o, wd, pos[0], db)
	case "migrations list":
		return d1MigrationsList(st, entry, db)
	default:
		return d1MigrationsApply(st, entry, db)
	}
}

// findD1 finds the d1_databases entry whose binding or database_name is
// name, as wrangler does.
func findD1(cfg *config.Worker, path, name string) (config.D1Database, error) {
	for _, db := range cfg.D1Databases {
		if db.Binding == name || db.DatabaseName == name {
			return db, nil
		}
	}
	return config.D1Database{}, fmt.Errorf("couldn't find a D1 DB with the name or binding '%s' in %s", name, path)
}

// d1Execute runs --command or --file and prints the results: a table per
// statement that returned rows, or wrangler's JSON with --json.
func d1Execute(st *State, o *d1Options, wd, name string, db *local.D1) error {
	sql := o.command
	if o.file != "" {
		b, err := os.ReadFile(absFrom(wd, o.file))
		if err != nil {
			return fmt.Errorf("unable to read SQL text file %q: %w", o.file, err)
		}
		if bytes.HasPrefix(b, []byte("SQLite format 3\x00")) {
			return fmt.Errorf("%s is a binary SQLite database file, not an SQL text file: export it as SQL first", o.file)
		}
		sql = string(b)
	}
	if !o.json {
		fmt.Fprintf(st.Stderr, "ferry: executing on local database %s (%s) in %s\n", name, db.ID(), filepath.Dir(db.Path()))
	}
	results, err := db.Script(st.Ctx, sql)
	if err != nil {
		msg := err.Error()
		var de *d1.Error
		if errors.As(err, &de) {
			msg = de.Message
		}
		if o.json {
			b, _ := json.MarshalIndent(map[string]any{"error": map[string]string{"text": msg}}, "", "  ")
			fmt.Fprintf(st.Stdout, "%s\n", b)
			return exitCode(1)
		}
		return errors.New(msg)
	}
	if o.json {
		return writeJSONResults(st.Stdout, results)
	}
	var total time.Duration
	for _, r := range results {
		total += r.Meta.Duration
		if len(r.Rows) == 0 {
			continue
		}
		q := r.SQL
		if utf8.RuneCountInString(q) > 48 {
			q = string([]rune(q)[:48]) + "..."
		}
		fmt.Fprintln(st.Stdout, q)
		writeTable(st.Stdout, r.Columns, displayRows(r))
	}
	s := "s"
	if len(results) == 1 {
		s = ""
	}
	fmt.Fprintf(st.Stderr, "ferry: %d command%s executed successfully in %s\n", len(results), s, fmtMillis(total))
	return nil
}

func fmtMillis(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
}

// displayValue is a value as wrangler shows it: BLOBs as [1, 2, 3], NULL as
// "null".
func displayValue(v d1.Value) any {
	switch v := v.(type) {
	case nil:
		return "null"
	case []byte:
		parts := make([]string, len(v))
		for i, c := range v {
			parts[i] = strconv.Itoa(int(c))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return v
}

func displayRows(r *d1.Result) [][]string {
	out := make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		out[i] = make([]string, len(row))
		for j, v := range row {
			out[i][j] = fmt.Sprint(displayValue(v))
		}
	}
	return out
}

// writeJSONResults prints results as wrangler d1 execute --json does locally:
// [{results: [{column: value}], success: true, meta: {duration}}].
func writeJSONResults(w io.Writer, results []*d1.Result) error {
	var b bytes.Buffer
	b.WriteString("[")
	for i, r := range results {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {\n    \"results\": [")
		for j, row := range r.Rows {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n      {")
			for k, v := range row {
				if k > 0 {
					b.WriteString(",")
				}
				b.WriteString("\n        ")
				key, _ := json.Marshal(r.Columns[k])
				val, err := json.Marshal(displayValue(v))
				if err != nil {
					return err
				}
				b.Write(key)
				b.WriteString(": ")
				b.Write(val)
			}
			b.WriteString("\n      }")
		}
		if len(r.Rows) > 0 {
			b.WriteString("\n    ")
		}
		dur, _ := json.Marshal(float64(r.Meta.Duration) / float64(time.Millisecond))
		fmt.Fprintf(&b, "],\n    \"success\": true,\n    \"meta\": {\n      \"duration\": %s\n    }\n  }", dur)
	}
	if len(results) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := w.Write(b.Bytes())
	return err
}

// writeTable prints rows under a header in a box, as wrangler's tables are.
func writeTable(w io.Writer, header []string, rows [][]string) {
	width := make([]int, len(header))
	for i, h := range header {
		width[i] = displayWidth(h)
	}
	for _, row := range rows {
		for i, c := range row {
			width[i] = max(width[i], displayWidth(c))
		}
	}
	line := func(l, m, r string) {
		var b strings.Builder
		b.WriteString(l)
		for i, n := range width {
			if i > 0 {
				b.WriteString(m)
			}
			b.WriteString(strings.Repeat("─", n+2))
		}
		b.WriteString(r + "\n")
		io.WriteString(w, b.String())
	}
	cells := func(row []string) {
		var b strings.Builder
		b.WriteString("│")
		for i, c := range row {
			b.WriteString(" " + c + strings.Repeat(" ", width[i]-displayWidth(c)) + " │")
		}
		b.WriteString("\n")
		io.WriteString(w, b.String())
	}
	line("┌", "┬", "┐")
	cells(header)
	line("├", "┼", "┤")
	for _, row := range rows {
		cells(row)
	}
	line("└", "┴", "┘")
}

// displayWidth is how many terminal columns s takes: wide and full-width
// characters (CJK, most emoji) take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// migration is one .sql file of a migrations directory.
type migration struct {
	name   string
	number int64 // the number before the first '_'; -1 without one
}

// d1Migrations lists the .sql files of the migrations directory in the
// order they apply: by number prefix, then name.
func d1Migrations(entry config.D1Database) ([]migration, error) {
	des, err := os.ReadDir(entry.MigrationsDir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no migrations present at %s (set migrations_dir in the wrangler config to use another directory)", entry.MigrationsDir)
		}
		return nil, err
	}
	var out []migration
	for _, de := range des {
		if de.IsDir() || !strings.HasSuffix(de.Name(), ".sql") {
			continue
		}
		n, err := strconv.ParseInt(strings.SplitN(de.Name(), "_", 2)[0], 10, 64)
		if err != nil {
			n = -1
		}
		out = append(out, migration{name: de.Name(), number: n})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].number != out[j].number {
			return out[i].number < out[j].number
		}
		return out[i].name < out[j].name
	})
	return out, nil
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// quoteString quotes an SQL string literal.
func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// d1Unapplied creates the migrations table when needed (as wrangler does)
// and returns the migrations it does not record.
func d1Unapplied(st *State, entry config.D1Database, db *local.D1) ([]migration, error) {
	all, err := d1Migrations(entry)
	if err != nil {
		return nil, err
	}
	table := quoteIdent(entry.MigrationsTable)
	if _, err := db.Script(st.Ctx, "CREATE TABLE IF NOT EXISTS "+table+` (
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		name       TEXT UNIQUE,
		applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
	)`); err != nil {
		return nil, fmt.Errorf("creating the migrations table %s: %w", entry.MigrationsTable, err)
	}
	res, err := db.Query(st.Ctx, d1.Statement{SQL: "SELECT name FROM " + table + " ORDER BY id"})
	if err != nil {
		return nil, fmt.Errorf("reading the migrations table %s: %w", entry.MigrationsTable, err)
	}
	applied := map[string]bool{}
	for _, row := range res.Rows {
		if s, ok := row[0].(string); ok {
			applied[s] = true
		}
	}
	var out []migration
	for _, m := range all {
		if !applied[m.name] {
			out = append(out, m)
		}
	}
	return out, nil
}

func d1MigrationsList(st *State, entry config.D1Database, db *local.D1) error {
	todo, err := d1Unapplied(st, entry, db)
	if err != nil {
		return err
	}
	if len(todo) == 0 {
		fmt.Fprintln(st.Stdout, "✅ No migrations to apply!")
		return nil
	}
	fmt.Fprintln(st.Stdout, "Migrations to be applied:")
	rows := make([][]string, len(todo))
	for i, m := range todo {
		rows[i] = []string{m.name}
	}
	writeTable(st.Stdout, []string{"Name"}, rows)
	return nil
}

// d1MigrationsApply applies each unapplied migration with the row that
// records it, in one transaction per migration; it stops at the first that
// fails, leaving the ones before it applied.
func d1MigrationsApply(st *State, entry config.D1Database, db *local.D1) error {
	todo, err := d1Unapplied(st, entry, db)
	if err != nil {
		return err
	}
	if len(todo) == 0 {
		fmt.Fprintln(st.Stdout, "✅ No migrations to apply!")
		return nil
	}
	fmt.Fprintln(st.Stdout, "Migrations to be applied:")
	status := make([][]string, len(todo))
	for i, m := range todo {
		status[i] = []string{m.name, "🕒"}
	}
	writeTable(st.Stdout, []string{"Name"}, firstColumn(status))
	for i, m := range todo {
		b, err := os.ReadFile(filepath.Join(entry.MigrationsDir, m.name))
		if err != nil {
			return err
		}
		sql := string(b) + "\n;INSERT INTO " + quoteIdent(entry.MigrationsTable) + " (name) VALUES (" + quoteString(m.name) + ");\n"
		_, err = db.Script(st.Ctx, sql)
		if err != nil {
			status[i][1] = "❌"
			writeTable(st.Stdout, []string{"Name", "Status"}, status)
			msg := err.Error()
			var de *d1.Error
			if errors.As(err, &de) {
				msg = de.Message
			}
			return fmt.Errorf("migration %s failed with the following errors:\n%s", m.name, msg)
		}
		status[i][1] = "✅"
	}
	writeTable(st.Stdout, []string{"Name", "Status"}, status)
	return nil
}

func firstColumn(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r[:1]
	}
	return out
}
