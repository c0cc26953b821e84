package awsplan

import (
	"encoding/json"
	"strings"
	"testing"
)

var acct = Account{Partition: "aws", Region: "eu-west-1", ID: "123456789012"}

func TestPolicy(t *testing.T) {
	t.Parallel()
	doc := Policy(acct, Grants{
		Function:       "app",
		Tables:         []string{"cache", "sessions", "cache"},
		Buckets:        []string{"files"},
		OverflowBucket: "kv-big",
		Producers:      []string{"jobs"},
		Consumers:      []string{"jobs"},
	})
	want := map[string]Statement{
		"Logs":       {Action: []string{"logs:CreateLogGroup"}, Resource: []string{"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/app"}},
		"LogStreams": {Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/app:*"}},
		"KVItems": {Action: kvItemActions, Resource: []string{
			"arn:aws:dynamodb:eu-west-1:123456789012:table/cache", "arn:aws:dynamodb:eu-west-1:123456789012:table/sessions"}},
		"KVList": {Action: []string{"dynamodb:Query"}, Resource: []string{
			"arn:aws:dynamodb:eu-west-1:123456789012:table/cache/index/list", "arn:aws:dynamodb:eu-west-1:123456789012:table/sessions/index/list"}},
		"R2Buckets":    {Action: bucketActions, Resource: []string{"arn:aws:s3:::files"}},
		"R2Objects":    {Action: objectActions, Resource: []string{"arn:aws:s3:::files/*"}},
		"KVOverflow":   {Action: overflowObj, Resource: []string{"arn:aws:s3:::kv-big/*"}},
		"QueueSend":    {Action: producerActions, Resource: []string{"arn:aws:sqs:eu-west-1:123456789012:jobs"}},
		"QueueConsume": {Action: consumerActions, Resource: []string{"arn:aws:sqs:eu-west-1:123456789012:jobs"}},
	}
	if len(doc.Statement) != len(want) {
		t.Fatalf("%d statements, want %d: %s", len(doc.Statement), len(want), doc.JSON())
	}
	for _, s := range doc.Statement {
		w, ok := want[s.Sid]
		if !ok {
			t.Errorf("unexpected statement %q", s.Sid)
			continue
		}
		if s.Effect != "Allow" || strings.Join(s.Action, " ") != strings.Join(w.Action, " ") || strings.Join(s.Resource, " ") != strings.Join(w.Resource, " ") {
			t.Errorf("statement %s = %+v, want actions %v on %v", s.Sid, s, w.Action, w.Resource)
		}
	}
}

// TestPolicyNoWildcards: no action is a wildcard, and the only resources
// with * are the function's own log streams and each bucket's objects.
func TestPolicyNoWildcards(t *testing.T) {
	t.Parallel()
	doc := Policy(acct, Grants{Function: "f", Tables: []string{"t"}, Buckets: []string{"b"}, OverflowBucket: "o", Producers: []string{"p"}, Consumers: []string{"c"}})
	for _, s := range doc.Statement {
		for _, a := range s.Action {
			if strings.Contains(a, "*") {
				t.Errorf("%s: wildcard action %q", s.Sid, a)
			}
		}
		for _, r := range s.Resource {
			if !strings.Contains(r, "*") {
				continue
			}
			ok := r == "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f:*" ||
				r == "arn:aws:s3:::b/*" || r == "arn:aws:s3:::o/*"
			if !ok {
				t.Errorf("%s: wildcard resource %q", s.Sid, r)
			}
		}
	}
}

func TestPolicyMinimal(t *testing.T) {
	t.Parallel()
	doc := Policy(acct, Grants{Function: "f", OverflowBucket: "o"}) // overflow without tables: not granted
	if len(doc.Statement) != 2 {
		t.Errorf("a Worker without bindings gets %s, want only the two log statements", doc.JSON())
	}
	var back PolicyDocument
	if err := json.Unmarshal([]byte(doc.JSON()), &back); err != nil || back.Version != "2012-10-17" {
		t.Errorf("JSON does not round-trip: %v %+v", err, back)
	}
}

func TestPolicyDeterministic(t *testing.T) {
	t.Parallel()
	a := Policy(acct, Grants{Function: "f", Tables: []string{"b", "a"}, Producers: []string{"y", "x"}}).JSON()
	b := Policy(acct, Grants{Function: "f", Tables: []string{"a", "b"}, Producers: []string{"x", "y", "x"}}).JSON()
	if a != b {
		t.Errorf("order changes the policy:\n%s\n%s", a, b)
	}
}

func TestEqualPolicyJSON(t *testing.T) {
	t.Parallel()
	if !EqualPolicyJSON(`{"Version":"2012-10-17","Statement":[]}`, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [] }") {
		t.Error("formatting should not matter")
	}
	if EqualPolicyJSON(`{"a":1}`, `{"a":2}`) {
		t.Error("different documents compare equal")
	}
}
