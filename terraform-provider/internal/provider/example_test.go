package provider

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// TestAccExampleTerraform applies examples/terraform, unchanged, to moto:
// the Worker is built with `ferry build --target lambda`, the provider finds
// moto through AWS_ENDPOINT_URL alone, a second plan is empty, a code
// change updates only the function, and destroy leaves nothing behind.
func TestAccExampleTerraform(t *testing.T) {
	url := accEnv(t)
	t.Setenv("AWS_ENDPOINT_URL", url)
	t.Setenv("AWS_REGION", testRegion)
	// The example names the provider by its real source address.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "ferry-run")
	a, prefix := newAWS(url), uniqueName("demo")

	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	src := filepath.Join(tmp, "worker")
	if err := os.CopyFS(src, os.DirFS(filepath.Join(root, "examples/terraform/worker"))); err != nil {
		t.Fatal(err)
	}
	ferry := filepath.Join(tmp, "ferry")
	run(t, root, "go", "build", "-o", ferry, "./cmd/ferry")
	// The bootstrap is never run (moto does not execute functions): any
	// linux/amd64 executable will do, and this test binary is one.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "lambda")
	build := func() { run(t, src, ferry, "build", "--target", "lambda", "--bootstrap", self, "--out", out, ".") }
	build()

	tf, err := os.ReadFile(filepath.Join(root, "examples/terraform/main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	vars := config.Variables{
		"prefix": config.StringVariable(prefix), "build": config.StringVariable(out + ".zip"),
		"s3_use_path_style": config.BoolVariable(true),
	}
	step := func() resource.TestStep {
		return resource.TestStep{Config: string(tf), ConfigVariables: vars}
	}

	first, second, third := step(), step(), step()
	first.Check = checkExample(a, prefix)
	second.PlanOnly = true // a second plan is empty
	third.PreConfig = func() {
		js := filepath.Join(src, "src/index.js")
		b, err := os.ReadFile(js)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(js, []byte(strings.Replace(string(b), "has been visited", "was visited", 1)), 0o644)
		build()
	}
	third.ConfigPlanChecks = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction("ferry_worker.app", plancheck.ResourceActionUpdate),
		plancheck.ExpectResourceAction("ferry_kv_namespace.counts", plancheck.ResourceActionNoop),
		plancheck.ExpectResourceAction("ferry_bucket.files", plancheck.ResourceActionNoop),
		plancheck.ExpectResourceAction("ferry_queue.jobs", plancheck.ResourceActionNoop),
		plancheck.ExpectResourceAction("ferry_queue.jobs_dlq", plancheck.ResourceActionNoop),
	}}
	third.Check = checkExample(a, prefix)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             exampleGone(a, prefix),
		Steps:                    []resource.TestStep{first, second, third},
	})
}

func run(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func checkExample(a *awsClients, prefix string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if _, err := a.ddb.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String(prefix + "-counts")}); err != nil {
			return fmt.Errorf("KV table: %w", err)
		}
		if _, err := a.s3.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String(prefix + "-files")}); err != nil {
			return fmt.Errorf("bucket: %w", err)
		}
		for _, q := range []string{"-jobs", "-jobs-dlq"} {
			if _, err := a.sqs.GetQueueUrl(bg, &sqs.GetQueueUrlInput{QueueName: aws.String(prefix + q)}); err != nil {
				return fmt.Errorf("queue %s: %w", q, err)
			}
		}
		fn, err := a.lambda.GetFunction(bg, &lambda.GetFunctionInput{FunctionName: aws.String(prefix)})
		if err != nil {
			return fmt.Errorf("function: %w", err)
		}
		if got := fn.Tags["app"]; got != prefix {
			return fmt.Errorf("function tag app = %q, want the default tag %q", got, prefix)
		}
		if want := s.RootModule().Resources["ferry_worker.app"].Primary.Attributes["source_code_hash"]; aws.ToString(fn.Configuration.CodeSha256) != want {
			return fmt.Errorf("CodeSha256 %s, want %s", aws.ToString(fn.Configuration.CodeSha256), want)
		}
		rules, err := a.events.ListRules(bg, &eventbridge.ListRulesInput{NamePrefix: aws.String(prefix + "-cron-")})
		if err != nil || len(rules.Rules) != 1 || aws.ToString(rules.Rules[0].ScheduleExpression) != "cron(0/10 * * * ? *)" {
			return fmt.Errorf("cron rules %+v (%v)", rules, err)
		}
		esm, err := a.lambda.ListEventSourceMappings(bg, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(prefix)})
		if err != nil || len(esm.EventSourceMappings) != 1 {
			return fmt.Errorf("event source mappings %+v (%v)", esm, err)
		}
		if u := s.RootModule().Outputs["url"]; u == nil || u.Value == "" {
			return fmt.Errorf("no url output")
		}
		return nil
	}
}

// exampleGone checks that no AWS object of the example is left.
func exampleGone(a *awsClients, prefix string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var left []string
		if _, err := a.ddb.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String(prefix + "-counts")}); err == nil {
			left = append(left, "table")
		}
		if _, err := a.s3.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String(prefix + "-files")}); err == nil {
			left = append(left, "bucket")
		}
		for _, q := range []string{"-jobs", "-jobs-dlq"} {
			if _, err := a.sqs.GetQueueUrl(bg, &sqs.GetQueueUrlInput{QueueName: aws.String(prefix + q)}); err == nil {
				left = append(left, "queue"+q)
			}
		}
		if _, err := a.lambda.GetFunction(bg, &lambda.GetFunctionInput{FunctionName: aws.String(prefix)}); err == nil {
			left = append(left, "function")
		}
		if _, err := a.iam.GetRole(bg, &iam.GetRoleInput{RoleName: aws.String(prefix)}); err == nil {
			left = append(left, "role")
		}
		if rules, err := a.events.ListRules(bg, &eventbridge.ListRulesInput{NamePrefix: aws.String(prefix)}); err == nil && len(rules.Rules) > 0 {
			left = append(left, "rules")
		}
		if esm, err := a.lambda.ListEventSourceMappings(bg, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(prefix)}); err == nil && len(esm.EventSourceMappings) > 0 {
			left = append(left, "event source mappings")
		}
		if len(left) > 0 {
			return fmt.Errorf("destroy left behind: %s", strings.Join(left, ", "))
		}
		return nil
	}
}
