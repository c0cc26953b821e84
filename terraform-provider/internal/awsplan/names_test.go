package awsplan

import (
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name  string
		check func(string) error
		in    string
		want  string // "" = valid; else a substring of the error
	}{
		{"table ok", CheckTableName, "kv-counter_1.prod", ""},
		{"table short", CheckTableName, "ab", `DynamoDB table name "ab" is 2 characters; it must be 3 to 255`},
		{"table max", CheckTableName, long(255), ""},
		{"table long", CheckTableName, long(256), "is 256 characters"},
		{"table char", CheckTableName, "kv:counter", `DynamoDB table name "kv:counter" has a character other than letters, digits, _ . and -`},

		{"bucket ok", CheckBucketName, "ferry-files.example", ""},
		{"bucket upper", CheckBucketName, "Files", "has a character other than lower-case letters, digits, . and -"},
		{"bucket underscore", CheckBucketName, "my_files", "has a character other than"},
		{"bucket short", CheckBucketName, "ab", "is 2 characters; it must be 3 to 63"},
		{"bucket long", CheckBucketName, long(64), "is 64 characters"},
		{"bucket dash start", CheckBucketName, "-files", "must begin and end with a lower-case letter or digit"},
		{"bucket dot end", CheckBucketName, "files.", "must begin and end"},
		{"bucket dots", CheckBucketName, "my..files", "two adjacent periods"},
		{"bucket ip", CheckBucketName, "192.168.5.4", "formatted as an IP address"},
		{"bucket xn", CheckBucketName, "xn--files", `reserved prefix "xn--"`},
		{"bucket alias", CheckBucketName, "files-s3alias", `reserved suffix "-s3alias"`},

		{"queue ok", CheckQueueName, "jobs_dlq-1", ""},
		{"queue fifo", CheckQueueName, "jobs.fifo", "Ferry makes standard queues"},
		{"queue dot", CheckQueueName, "jobs.x", "has a character other than letters, digits, _ and -"},
		{"queue long", CheckQueueName, long(81), "is 81 characters; it must be 1 to 80"},
		{"queue empty", CheckQueueName, "", "is 0 characters"},

		{"function ok", CheckFunctionName, "kv-counter_2", ""},
		{"function long", CheckFunctionName, long(65), "is 65 characters; it must be 1 to 64"},
		{"function dot", CheckFunctionName, "kv.counter", "Lambda function name"},

		{"role ok", CheckRoleName, "ferry+role=a,b.c@d_e-f", ""},
		{"role slash", CheckRoleName, "a/b", "IAM role name"},

		{"binding ok", CheckBindingName, "MY_KV2", ""},
		{"binding digit", CheckBindingName, "2KV", "must not start with a digit"},
		{"binding dollar", CheckBindingName, "KV$", "binding name"},
	}
	for _, tt := range tests {
		err := tt.check(tt.in)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %q: unexpected error %v", tt.name, tt.in, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %q: error %v, want one containing %q", tt.name, tt.in, err, tt.want)
		}
	}
}

func TestCronRuleName(t *testing.T) {
	t.Parallel()
	a := CronRuleName("kv-counter", "*/5 * * * *")
	if !strings.HasPrefix(a, "kv-counter-cron-") || len(a) != len("kv-counter-cron-")+8 {
		t.Errorf("CronRuleName = %q", a)
	}
	if b := CronRuleName("kv-counter", "*/5 * * * *"); b != a {
		t.Errorf("not deterministic: %q vs %q", a, b)
	}
	if b := CronRuleName("kv-counter", "0 * * * *"); b == a {
		t.Errorf("two crons share rule name %q", a)
	}
	fn := strings.Repeat("f", 64)
	long := CronRuleName(fn, "* * * * *")
	if len(long) != 64 || ruleRule.check(long) != nil {
		t.Errorf("CronRuleName for a 64-character function = %q (%d characters)", long, len(long))
	}
	if id := CronStatementID(fn, "* * * * *"); len(id) > 100 {
		t.Errorf("statement id %q is over Lambda's 100 characters", id)
	}
}
