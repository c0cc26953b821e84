package config

import (
	"strings"
	"testing"
)

func TestFerryTable(t *testing.T) {
	w, warnings, err := Parse("wrangler.toml", []byte("name = \"x\"\nmain = \"i.js\"\n[ferry]\nallow_private_fetch = true\n"), "")
	if err != nil || len(warnings) != 0 || !w.Ferry.AllowPrivateFetch {
		t.Fatalf("got %+v %v %v", w.Ferry, warnings, err)
	}
	_, _, err = Parse("wrangler.jsonc", []byte("{\n  \"name\": \"x\",\n  \"ferry\": { \"allow_private_fetch\": \"yes\" }\n}\n"), "")
	if err == nil || !strings.Contains(err.Error(), "wrangler.jsonc:3") || !strings.Contains(err.Error(), "ferry.allow_private_fetch") {
		t.Fatalf("wrong type: %v", err)
	}
	_, warnings, _ = Parse("wrangler.toml", []byte("name = \"x\"\n[ferry]\nallow_privat_fetch = true\n"), "")
	if len(warnings) != 1 || !strings.Contains(warnings[0].String(), "ferry.allow_privat_fetch") {
		t.Fatalf("unknown key warnings: %v", warnings)
	}
}
