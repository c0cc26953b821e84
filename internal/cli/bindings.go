package cli

import "fmt"

// localName is the local store name a binding entry uses, as wrangler's local
// mode picks it: the preview name or id when set, else the production one,
// else the binding name.
func localName(preview, prod, binding string) string {
	switch {
	case preview != "":
		return preview
	case prod != "":
		return prod
	default:
		return binding
	}
}

// openBindings opens one store object per config entry, keyed by binding name
// (nil when there are none). name returns an entry's binding and local name;
// kind words the error ("KV namespace").
func openBindings[E, B any](entries []E, name func(E) (binding, local string), open func(string) (B, error), kind string) (map[string]B, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	out := make(map[string]B, len(entries))
	for _, e := range entries {
		binding, local := name(e)
		b, err := open(local)
		if err != nil {
			return nil, fmt.Errorf("opening %s %s: %w", kind, binding, err)
		}
		out[binding] = b
	}
	return out, nil
}
