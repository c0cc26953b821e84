package config

import "sort"

// worker decodes the top level, applies the environment envName and returns
// the result. Errors are left in d.errs.
//
// Inheritance follows wrangler (workers-utils config/validation.ts):
//   - an inheritable key the environment does not set comes from the top level;
//   - the Worker's name in an environment without its own `name` is
//     "<top-level name>-<env>";
//   - a non-inheritable key (vars, define, every binding kind) is never taken
//     from the top level; when the top level sets it and the environment does
//     not, that is a warning, because the environment then has none;
//   - an environment name the file does not define is an error listing the
//     defined ones; when the file defines no environment at all, wrangler only
//     warns and uses the top level under the environment's Worker name, and so
//     does this function.
func (d *decoder) worker(root *node, envName string) *Worker {
	top := d.decodeLayer(root, "", true)

	var envs *node
	if n := root.get("env"); n != nil && d.object(n, "env") {
		envs = n
	}
	if envName == "" {
		return d.finish(top.w, top.refs)
	}

	envNode := envs.get(envName)
	if envNode == nil {
		if envs != nil && len(envs.keys) > 0 {
			d.fail(0, "", "no environment %q in the configuration; the environments are %s", envName, quoteList(envs.keys))
			return nil
		}
		d.warn(0, "env."+envName, "no environment %q in the configuration; using the top-level configuration", envName)
		w := top.w
		w.Env = envName
		w.Name = envWorkerName(top.w.Name, envName)
		return d.finish(w, top.refs)
	}
	envKey := join("env", envName)
	if !d.object(envNode, envKey) {
		return nil
	}
	env := d.decodeLayer(envNode, envKey, false)
	w := env.w
	w.Env = envName

	if !env.has["name"] {
		w.Name = envWorkerName(top.w.Name, envName)
	}
	if !env.has["main"] {
		w.Main = top.w.Main
	}
	if !env.has["compatibility_date"] {
		w.CompatibilityDate = top.w.CompatibilityDate
	}
	if !env.has["compatibility_flags"] {
		w.CompatibilityFlags = top.w.CompatibilityFlags
	}
	if !env.has["triggers"] {
		w.Triggers = top.w.Triggers
	}
	if !env.has["limits"] {
		w.Limits = top.w.Limits
	}
	if !env.has["migrations"] {
		w.Migrations = top.w.Migrations
	}
	// [ferry]: allow_private_fetch is inherited; aws, which maps the
	// environment's own bindings, is not.
	if !env.has["ferry.allow_private_fetch"] {
		w.Ferry.AllowPrivateFetch = top.w.Ferry.AllowPrivateFetch
	}
	if top.has["ferry.aws"] && !env.has["ferry.aws"] {
		d.warn(envNode.line, envKey+".ferry.aws",
			"\"ferry.aws\" exists at the top level, but not on %q; it is not inherited by environments, so add [%s.ferry.aws] if this environment runs on AWS", envKey, envKey)
	}
	refs := env.refs
	if !env.has["assets"] {
		w.Assets = top.w.Assets
		for _, r := range top.refs {
			if r.top == "assets" {
				refs = append(refs, r)
			}
		}
	}
	for k, v := range top.w.Extra {
		// Top-level-only keys (dev, alias, site, ...) apply to every environment.
		if (inheritableExtra[k] || topLevelOnly[k]) && !env.has[k] {
			if w.Extra == nil {
				w.Extra = map[string]any{}
			}
			w.Extra[k] = v
		}
	}

	// Warn, in file order, about top-level keys the environment loses.
	for _, k := range root.keys {
		if (nonInheritableModeled[k] || nonInheritableExtra[k]) && top.has[k] && !env.has[k] {
			d.warn(envNode.line, join(envKey, k),
				"%q exists at the top level, but not on %q; it is not inherited by environments, so add %q to %q if this environment needs it",
				k, envKey, k, envKey)
		}
	}
	return d.finish(w, refs)
}

func envWorkerName(top, env string) string {
	if top == "" {
		return ""
	}
	return top + "-" + env
}

// finish checks what can only be checked on the final Worker: binding names
// are unique across all kinds, as wrangler requires.
func (d *decoder) finish(w Worker, refs []bindingRef) *Worker {
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].line < refs[j].line })
	first := map[string]bindingRef{}
	for _, r := range refs {
		if r.name == "" {
			continue
		}
		if f, dup := first[r.name]; dup {
			d.fail(r.line, r.key, "binding name %q is already used by %s (line %d); bindings must have unique names",
				r.name, f.key, f.line)
			continue
		}
		first[r.name] = r
	}
	sort.SliceStable(d.warnings, func(i, j int) bool { return d.warnings[i].Line < d.warnings[j].Line })
	return &w
}
