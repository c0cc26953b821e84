package awsplan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// A nameRule is one AWS service's naming rule.
type nameRule struct {
	what     string // "DynamoDB table name"
	min, max int
	chars    *regexp.Regexp // the whole name
	charText string         // chars, in words
}

func (r nameRule) check(name string) error {
	switch {
	case len(name) < r.min || len(name) > r.max:
		if r.min == r.max {
			return fmt.Errorf("%s %q is %d characters; it must be %d", r.what, name, len(name), r.min)
		}
		return fmt.Errorf("%s %q is %d characters; it must be %d to %d", r.what, name, len(name), r.min, r.max)
	case !r.chars.MatchString(name):
		return fmt.Errorf("%s %q has a character other than %s", r.what, name, r.charText)
	}
	return nil
}

var (
	tableRule    = nameRule{"DynamoDB table name", 3, 255, regexp.MustCompile(`^[A-Za-z0-9_.-]+$`), "letters, digits, _ . and -"}
	bucketRule   = nameRule{"S3 bucket name", 3, 63, regexp.MustCompile(`^[a-z0-9.-]+$`), "lower-case letters, digits, . and -"}
	queueRule    = nameRule{"SQS queue name", 1, 80, regexp.MustCompile(`^[A-Za-z0-9_-]+$`), "letters, digits, _ and -"}
	functionRule = nameRule{"Lambda function name", 1, 64, regexp.MustCompile(`^[A-Za-z0-9_-]+$`), "letters, digits, _ and -"}
	roleRule     = nameRule{"IAM role name", 1, 64, regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]+$`), "letters, digits and + = , . @ _ -"}
	ruleRule     = nameRule{"EventBridge rule name", 1, 64, regexp.MustCompile(`^[A-Za-z0-9._-]+$`), "letters, digits, . _ and -"}
	bindingRule  = nameRule{"binding name", 1, 200, regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`), "letters, digits and _ (and it must not start with a digit)"}
)

// CheckTableName checks a DynamoDB table name.
func CheckTableName(name string) error { return tableRule.check(name) }

// CheckQueueName checks a standard SQS queue name. FIFO queues are not
// supported: Workers queues are not ordered.
func CheckQueueName(name string) error {
	if strings.HasSuffix(name, ".fifo") {
		return fmt.Errorf("SQS queue name %q ends in .fifo: Ferry makes standard queues (Workers queues are not FIFO)", name)
	}
	return queueRule.check(name)
}

// CheckFunctionName checks a Lambda function name (the name, not an ARN).
func CheckFunctionName(name string) error { return functionRule.check(name) }

// CheckRoleName checks an IAM role name.
func CheckRoleName(name string) error { return roleRule.check(name) }

// CheckBindingName checks a Workers binding name as the Lambda environment
// carries it (FERRY_KV_<NAME>): an identifier of ASCII letters, digits and _.
func CheckBindingName(name string) error { return bindingRule.check(name) }

// CheckBucketName checks an S3 general purpose bucket name against the rules
// of the S3 user guide ("Bucket naming rules").
func CheckBucketName(name string) error {
	if err := bucketRule.check(name); err != nil {
		return err
	}
	first, last := name[0], name[len(name)-1]
	if !isLowerAlnum(first) || !isLowerAlnum(last) {
		return fmt.Errorf("S3 bucket name %q must begin and end with a lower-case letter or digit", name)
	}
	if strings.Contains(name, "..") {
		return fmt.Errorf("S3 bucket name %q has two adjacent periods", name)
	}
	if a, err := netip.ParseAddr(name); err == nil && a.Is4() {
		return fmt.Errorf("S3 bucket name %q is formatted as an IP address", name)
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("S3 bucket name %q starts with the reserved prefix %q", name, p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return fmt.Errorf("S3 bucket name %q ends with the reserved suffix %q", name, s)
		}
	}
	return nil
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// CronRuleName is the name of the EventBridge rule for one cron trigger of a
// function: the function name (shortened if need be) and "-cron-" plus the
// first 8 hex digits of the expression's SHA-256. It depends only on the
// function and the expression, so adding a cron adds one rule and leaves the
// others alone, and it always satisfies the rule-name rules when function is
// a valid function name.
func CronRuleName(function, cron string) string {
	sum := sha256.Sum256([]byte(cron))
	suffix := "-cron-" + hex.EncodeToString(sum[:4])
	if max := ruleRule.max - len(suffix); len(function) > max {
		function = function[:max]
	}
	return function + suffix
}

// CronStatementID is the statement id of the Lambda permission that lets
// the cron's rule invoke the function (the rule name is unique per function
// and fits the 100-character limit).
func CronStatementID(function, cron string) string {
	return "ferry-" + CronRuleName(function, cron)
}
