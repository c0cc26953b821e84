package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func pathOf(names ...string) path.Path {
	p := path.Root(names[0])
	for _, n := range names[1:] {
		p = p.AtName(n)
	}
	return p
}

// isNotFound reports whether err says the resource does not exist: one of
// the given API error codes, or HTTP 404.
func isNotFound(err error, codes ...string) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		for _, c := range codes {
			if ae.ErrorCode() == c {
				return true
			}
		}
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}

// nameValidator checks a name with one of awsplan's rules at plan time.
type nameValidator struct {
	what  string
	check func(string) error
}

var _ validator.String = nameValidator{}

func (v nameValidator) Description(context.Context) string {
	return "must be a valid " + v.what
}

func (v nameValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v nameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+v.what, err.Error())
	}
}

// oneOf checks that a string is one of a few values.
type oneOf []string

var _ validator.String = oneOf{}

func (v oneOf) Description(context.Context) string {
	return fmt.Sprintf("must be one of %q", []string(v))
}

func (v oneOf) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v oneOf) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for _, s := range v {
		if req.ConfigValue.ValueString() == s {
			return
		}
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid value", fmt.Sprintf("%q %s.", req.ConfigValue.ValueString(), v.Description(context.Background())))
}

// intRange checks an integer's bounds.
type intRange struct{ min, max int64 }

var _ validator.Int64 = intRange{}

func (v intRange) Description(context.Context) string {
	return fmt.Sprintf("must be between %d and %d", v.min, v.max)
}

func (v intRange) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v intRange) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if n := req.ConfigValue.ValueInt64(); n < v.min || n > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Value out of range", fmt.Sprintf("%d %s.", n, v.Description(context.Background())))
	}
}

// configure fetches the provider's clients in a resource's Configure.
func configureClients(data any, diags *diag.Diagnostics) *clients {
	if data == nil {
		return nil // the provider is not configured yet (validation)
	}
	c, ok := data.(*clients)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("got %T, want *clients", data))
	}
	return c
}

// importByName imports a resource whose id is its name.
func importByName(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// tagsAttr returns the map of a tags attribute.
func tagsOf(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	return stringMap(ctx, m, diags)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// removedKeys returns the keys of old that now lacks.
func removedKeys(old, now map[string]string) []string {
	var out []string
	for _, k := range sortedKeys(old) {
		if _, ok := now[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

type diagList struct{ d diag.Diagnostics }

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// decodePolicy undoes the URL encoding IAM applies to policy documents.
func decodePolicy(s string) (string, error) {
	if !strings.HasPrefix(s, "%") && !strings.Contains(s, "%22") {
		return s, nil
	}
	return url.QueryUnescape(s)
}
