package awsplan

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
)

// Wiring is what a ferry_worker configuration maps its build's bindings to.
type Wiring struct {
	KV     map[string]string // KV binding → DynamoDB table
	R2     map[string]string // R2 binding → S3 bucket
	Queues map[string]string // Workers queue name → SQS queue name
	// OverflowBucket holds KV values over DynamoDB's item limit ("": none).
	OverflowBucket string
	Vars           map[string]string // FERRY_VAR_<NAME>, overriding the build's vars
	Secrets        map[string]string // FERRY_SECRET_<NAME>
	// InvokeMode is the function URL's invoke mode: "BUFFERED" or
	// "RESPONSE_STREAM" ("" when there is no URL).
	InvokeMode string
}

// Severity of a Problem.
type Severity int

const (
	Error Severity = iota
	Warning
)

// Problem is one mismatch between a build and its wiring. Attr is the
// configuration attribute at fault and Key the map key within it ("" for the
// whole attribute).
type Problem struct {
	Severity Severity
	Attr     string
	Key      string
	Summary  string
	Detail   string
}

// Check compares the build's bindings with the wiring: every KV and R2
// binding and every queue the build produces to or consumes must be mapped,
// nothing else may be, every required secret must be set, and the names must
// be valid. Bindings AWS deployments do not support yet are warnings.
func (w Wiring) Check(m *manifest.Manifest) []Problem {
	var ps []Problem
	errorf := func(attr, key, summary, format string, args ...any) {
		ps = append(ps, Problem{Error, attr, key, summary, fmt.Sprintf(format, args...)})
	}

	var kv, r2 []string
	for _, b := range m.Bindings.KVNamespaces {
		kv = append(kv, b.Binding)
	}
	for _, b := range m.Bindings.R2Buckets {
		r2 = append(r2, b.Binding)
	}
	queues := map[string]string{} // Workers queue → what uses it
	for _, p := range m.Bindings.QueueProducers {
		queues[p.Queue] = fmt.Sprintf("the queue producer binding %s sends to it", p.Binding)
	}
	for _, c := range m.Consumers {
		if _, ok := queues[c.Queue]; !ok {
			queues[c.Queue] = "the Worker consumes it"
		}
	}

	checkMap := func(attr, kind string, declared []string, got map[string]string, checkName func(string) error) {
		want := map[string]bool{}
		for _, b := range declared {
			want[b] = true
			name, ok := got[b]
			if !ok {
				errorf(attr, "", "Missing "+kind,
					"The build declares the %s %q, but %s has no entry for it. Add %s = <name> to %s.", kind, b, attr, b, attr)
				continue
			}
			if err := checkName(name); err != nil {
				errorf(attr, b, "Invalid name", "%s[%q]: %v", attr, b, err)
			}
		}
		for _, k := range sortedKeys(got) {
			if !want[k] {
				errorf(attr, k, "Unknown "+kind,
					"%s[%q]: the build has no %s %q (it has %s).", attr, k, kind, k, list0(declared))
			}
		}
	}
	checkMap("kv_namespaces", "KV binding", kv, w.KV, CheckTableName)
	checkMap("r2_buckets", "R2 binding", r2, w.R2, CheckBucketName)
	checkMap("queues", "queue", sortedKeys(queues), w.Queues, CheckQueueName)
	for _, b := range append(append([]string{}, kv...), r2...) {
		if err := CheckBindingName(b); err != nil {
			errorf("artifact", "", "Invalid binding name", "%v: the Lambda environment variable for it cannot be set", err)
		}
	}
	for _, p := range m.Bindings.QueueProducers {
		if err := CheckBindingName(p.Binding); err != nil {
			errorf("artifact", "", "Invalid binding name", "%v: the Lambda environment variable for it cannot be set", err)
		}
	}
	if w.OverflowBucket != "" {
		if err := CheckBucketName(w.OverflowBucket); err != nil {
			errorf("kv_overflow_bucket", "", "Invalid name", "%v", err)
		}
	}
	for _, s := range m.Secrets {
		if _, ok := w.Secrets[s]; !ok {
			errorf("secrets", "", "Missing secret",
				"The build requires the secret %q (secrets.required in the wrangler config), but secrets has no entry for it; the function would fail at start.", s)
		}
	}
	for _, k := range sortedKeys(w.Secrets) {
		if err := CheckBindingName(k); err != nil {
			errorf("secrets", k, "Invalid secret name", "%v", err)
		}
	}
	for _, k := range sortedKeys(w.Vars) {
		if err := CheckBindingName(k); err != nil {
			errorf("vars", k, "Invalid var name", "%v", err)
		}
	}
	unsupported := func(kind string, n int) {
		if n > 0 {
			ps = append(ps, Problem{Warning, "artifact", "", "Bindings not deployed",
				fmt.Sprintf("The build declares %d %s binding(s); the Ferry provider does not create AWS resources for them yet, and the function gets none.", n, kind)})
		}
	}
	unsupported("D1", len(m.Bindings.D1Databases))
	unsupported("Durable Object", len(m.Bindings.DurableObjects))
	unsupported("service", len(m.Bindings.Services))
	return ps
}

// MaxEnvironmentBytes is Lambda's limit on the total size of a function's
// environment variables (keys and values).
const MaxEnvironmentBytes = 4096

// Environment returns the Lambda environment for the build: the binding
// names mapped to resource names (FERRY_KV_*, FERRY_R2_*), producers to
// queue URLs (FERRY_QUEUE_*, from queueURLs: SQS queue name → URL), queues
// whose SQS name differs (FERRY_QUEUES), the invoke mode, vars and secrets.
// It fails when the total passes Lambda's 4 KB limit.
func (w Wiring) Environment(m *manifest.Manifest, queueURLs map[string]string) (map[string]string, error) {
	env := map[string]string{}
	for _, b := range m.Bindings.KVNamespaces {
		env[manifest.EnvKVPrefix+b.Binding] = w.KV[b.Binding]
	}
	if w.OverflowBucket != "" && len(m.Bindings.KVNamespaces) > 0 {
		env[manifest.EnvKVOverflowBucket] = w.OverflowBucket
	}
	for _, b := range m.Bindings.R2Buckets {
		env[manifest.EnvR2Prefix+b.Binding] = w.R2[b.Binding]
	}
	for _, p := range m.Bindings.QueueProducers {
		sqsName := w.Queues[p.Queue]
		u, ok := queueURLs[sqsName]
		if !ok {
			return nil, fmt.Errorf("no URL for SQS queue %q (queue producer binding %s)", sqsName, p.Binding)
		}
		env[manifest.EnvQueuePrefix+p.Binding] = u
	}
	renamed := map[string]string{}
	for wq, sq := range w.Queues {
		if wq != sq {
			renamed[sq] = wq
		}
	}
	if len(renamed) > 0 {
		b, _ := json.Marshal(renamed) // map keys are sorted
		env[manifest.EnvQueues] = string(b)
	}
	if w.InvokeMode != "" {
		env[manifest.EnvInvokeMode] = w.InvokeMode
	}
	for k, v := range w.Vars {
		env[manifest.EnvVarPrefix+k] = v
	}
	for k, v := range w.Secrets {
		env[manifest.EnvSecretPrefix+k] = v
	}
	size := 0
	for k, v := range env {
		size += len(k) + len(v)
	}
	if size > MaxEnvironmentBytes {
		return nil, fmt.Errorf("the Lambda environment is %d bytes (%s), over Lambda's limit of %d bytes for all variables together: shorten vars or secrets, or keep large values elsewhere", size, strings.Join(sortedKeys(env), ", "), MaxEnvironmentBytes)
	}
	return env, nil
}

// Grants returns what the function needs for the build's bindings under
// this wiring.
func (w Wiring) Grants(m *manifest.Manifest, function string) Grants {
	g := Grants{Function: function}
	for _, b := range m.Bindings.KVNamespaces {
		g.Tables = append(g.Tables, w.KV[b.Binding])
	}
	if len(g.Tables) > 0 {
		g.OverflowBucket = w.OverflowBucket
	}
	for _, b := range m.Bindings.R2Buckets {
		g.Buckets = append(g.Buckets, w.R2[b.Binding])
	}
	for _, p := range m.Bindings.QueueProducers {
		g.Producers = append(g.Producers, w.Queues[p.Queue])
	}
	for _, c := range m.Consumers {
		g.Consumers = append(g.Consumers, w.Queues[c.Queue])
	}
	return g
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func list0(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
