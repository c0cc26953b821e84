package provider

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core/config"
	"github.com/ferry-run/ferry/terraform-provider/internal/awsplan"
)

// workerManifest is a Worker with one binding of each kind, a queue it
// produces to and consumes, a required secret and crons.
func workerManifest(crons ...string) *manifest.Manifest {
	return &manifest.Manifest{
		Name: "app", Handlers: []string{"fetch", "scheduled", "queue"}, Secrets: []string{"API_KEY"}, Crons: crons,
		Bindings: manifest.Bindings{
			KVNamespaces:   []config.KVNamespace{{Binding: "CACHE"}},
			R2Buckets:      []config.R2Bucket{{Binding: "FILES"}},
			QueueProducers: []config.QueueProducer{{Binding: "JOBS", Queue: "jobs"}},
		},
		Consumers: []manifest.Consumer{{Queue: "jobs", MaxBatchSize: 7, MaxBatchTimeout: 2, MaxRetries: 3}},
	}
}

type workerOpts struct {
	artifact string
	crons    string // HCL list or ""
	url      string // function_url body or ""
	memory   int
}

func workerConfig(motoURL, name string, o workerOpts) string {
	extra := ""
	if o.crons != "" {
		extra += "  crons = " + o.crons + "\n"
	}
	if o.url != "" {
		extra += "  function_url = " + o.url + "\n"
	}
	if o.memory != 0 {
		extra += fmt.Sprintf("  memory_size = %d\n", o.memory)
	}
	return providerHCL(motoURL) + fmt.Sprintf(`
resource "ferry_kv_namespace" "cache" { name = "%[1]s-cache" }
resource "ferry_bucket" "files" {
  name          = "%[1]s-files"
  force_destroy = true
}
resource "ferry_queue" "jobs" { name = "%[1]s-jobs" }

resource "ferry_worker" "test" {
  name          = %[1]q
  artifact      = %[2]q
  kv_namespaces = { CACHE = ferry_kv_namespace.cache.name }
  r2_buckets    = { FILES = ferry_bucket.files.name }
  queues        = { jobs = ferry_queue.jobs.name }
  vars          = { GREETING = "hello" }
  secrets       = { API_KEY = "s3cret" }
%[3]s}
`, name, hcl(o.artifact), extra)
}

// checkWorker checks the function, its role and policy, its environment,
// its crons and its event source mapping through the AWS API.
func checkWorker(a *awsClients, name, codeSHA string, memory int32, crons []string, wantURL bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		fn, err := a.lambda.GetFunction(bg, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("function: %w", err)
		}
		c := fn.Configuration
		if string(c.Runtime) != manifest.Runtime || aws.ToString(c.Handler) != "bootstrap" || aws.ToInt32(c.MemorySize) != memory {
			return fmt.Errorf("function runtime %s handler %s memory %d", c.Runtime, aws.ToString(c.Handler), aws.ToInt32(c.MemorySize))
		}
		if codeSHA != "" && aws.ToString(c.CodeSha256) != codeSHA {
			return fmt.Errorf("CodeSha256 %s, want %s", aws.ToString(c.CodeSha256), codeSHA)
		}
		env := c.Environment.Variables
		want := map[string]string{
			"FERRY_KV_CACHE": name + "-cache", "FERRY_R2_FILES": name + "-files", "FERRY_VAR_GREETING": "hello",
			"FERRY_SECRET_API_KEY": "s3cret", "FERRY_QUEUES": fmt.Sprintf(`{"%s-jobs":"jobs"}`, name),
		}
		for k, v := range want {
			if env[k] != v {
				return fmt.Errorf("environment %s = %q, want %q (all: %v)", k, env[k], v, env)
			}
		}
		if !strings.HasSuffix(env["FERRY_QUEUE_JOBS"], "/"+name+"-jobs") {
			return fmt.Errorf("FERRY_QUEUE_JOBS = %q, want the queue URL", env["FERRY_QUEUE_JOBS"])
		}
		if wantURL != (env["FERRY_INVOKE_MODE"] != "") {
			return fmt.Errorf("FERRY_INVOKE_MODE = %q with url %v", env["FERRY_INVOKE_MODE"], wantURL)
		}

		role := aws.ToString(c.Role)
		pol, err := a.iam.GetRolePolicy(bg, &iam.GetRolePolicyInput{RoleName: aws.String(role[strings.LastIndex(role, "/")+1:]), PolicyName: aws.String("ferry")})
		if err != nil {
			return fmt.Errorf("role policy: %w", err)
		}
		doc, _ := decodePolicy(aws.ToString(pol.PolicyDocument))
		var pd awsplan.PolicyDocument
		if err := json.Unmarshal([]byte(doc), &pd); err != nil {
			return err
		}
		var resources []string
		for _, s := range pd.Statement {
			resources = append(resources, s.Resource...)
		}
		for _, r := range []string{":table/" + name + "-cache", ":table/" + name + "-cache/index/list", ":::" + name + "-files/*", ":" + name + "-jobs"} {
			if !strings.Contains(strings.Join(resources, " "), r) {
				return fmt.Errorf("policy has no resource ending %q: %s", r, doc)
			}
		}

		_, err = a.lambda.GetFunctionUrlConfig(bg, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String(name)})
		if (err == nil) != wantURL {
			return fmt.Errorf("function URL exists = %v, want %v", err == nil, wantURL)
		}

		rules, err := a.events.ListRules(bg, &eventbridge.ListRulesInput{NamePrefix: aws.String(name + "-cron-")})
		if err != nil {
			return err
		}
		var got []string
		for _, r := range rules.Rules {
			tg, err := a.events.ListTargetsByRule(bg, &eventbridge.ListTargetsByRuleInput{Rule: r.Name})
			if err != nil || len(tg.Targets) != 1 || aws.ToString(tg.Targets[0].Arn) != aws.ToString(c.FunctionArn) {
				return fmt.Errorf("rule %s targets %+v (%v)", aws.ToString(r.Name), tg, err)
			}
			var in struct{ Ferry struct{ Cron string } }
			json.Unmarshal([]byte(aws.ToString(tg.Targets[0].Input)), &in)
			got = append(got, in.Ferry.Cron+" => "+aws.ToString(r.ScheduleExpression))
		}
		sort.Strings(got)
		if strings.Join(got, "; ") != strings.Join(crons, "; ") {
			return fmt.Errorf("cron rules %q, want %q", got, crons)
		}

		esm, err := a.lambda.ListEventSourceMappings(bg, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(name)})
		if err != nil {
			return err
		}
		if len(esm.EventSourceMappings) != 1 {
			return fmt.Errorf("%d event source mappings, want 1", len(esm.EventSourceMappings))
		}
		e := esm.EventSourceMappings[0]
		if !strings.HasSuffix(aws.ToString(e.EventSourceArn), ":"+name+"-jobs") || aws.ToInt32(e.BatchSize) != 7 {
			return fmt.Errorf("event source mapping %s batch %d", aws.ToString(e.EventSourceArn), aws.ToInt32(e.BatchSize))
		}
		return nil
	}
}

func workerGone(a *awsClients, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, err := a.lambda.GetFunction(bg, &lambda.GetFunctionInput{FunctionName: aws.String(name)}); err == nil {
			return fmt.Errorf("function %q still exists", name)
		}
		if _, err := a.iam.GetRole(bg, &iam.GetRoleInput{RoleName: aws.String(name)}); err == nil {
			return fmt.Errorf("role %q still exists", name)
		}
		rules, err := a.events.ListRules(bg, &eventbridge.ListRulesInput{NamePrefix: aws.String(name + "-cron-")})
		if err == nil && len(rules.Rules) > 0 {
			return fmt.Errorf("%d cron rules left", len(rules.Rules))
		}
		return nil
	}
}

func TestAccWorker_basic(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("app")
	art := writeArtifact(t, filepath.Join(t.TempDir(), "lambda.zip"), workerManifest("*/5 * * * *"), "v1")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             workerGone(a, name),
		Steps: []resource.TestStep{{
			Config: workerConfig(url, name, workerOpts{artifact: art, url: `{ cors = { allow_origins = ["*"] } }`}),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkWorker(a, name, "", 256, []string{"*/5 * * * * => cron(0/5 * * * ? *)"}, true),
				resource.TestCheckResourceAttrSet("ferry_worker.test", "url"),
				resource.TestCheckResourceAttr("ferry_worker.test", "function_arn", "arn:aws:lambda:us-east-1:123456789012:function:"+name),
				resource.TestCheckResourceAttr("ferry_worker.test", "role_arn", "arn:aws:iam::123456789012:role/"+name),
				resource.TestCheckResourceAttr("ferry_worker.test", "crons.#", "1"),
			),
		}},
	})
}

func TestAccWorker_update(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("app")
	dir := t.TempDir()
	art := filepath.Join(dir, "lambda.zip")
	writeArtifact(t, art, workerManifest("*/5 * * * *"), "v1")
	var v1, v2 string
	hashOf := func(dst *string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			a, err := awsplan.ReadArtifact(art)
			if err == nil {
				*dst = a.SHA256
			}
			return err
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             workerGone(a, name),
		Steps: []resource.TestStep{
			{
				Config: workerConfig(url, name, workerOpts{artifact: art}),
				Check:  resource.ComposeAggregateTestCheckFunc(hashOf(&v1), checkWorker(a, name, "", 256, []string{"*/5 * * * * => cron(0/5 * * * ? *)"}, false)),
			},
			{
				// New code: only the code changes (the function is updated in place).
				PreConfig: func() { writeArtifact(t, art, workerManifest("*/5 * * * *"), "v2") },
				Config:    workerConfig(url, name, workerOpts{artifact: art}),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("ferry_worker.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("ferry_kv_namespace.cache", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("ferry_bucket.files", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("ferry_queue.jobs", plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(hashOf(&v2), func(s *terraform.State) error {
					if v1 == v2 {
						return fmt.Errorf("the new artifact has the old hash")
					}
					return checkWorker(a, name, v2, 256, []string{"*/5 * * * * => cron(0/5 * * * ? *)"}, false)(s)
				}),
			},
			{
				// One more cron (configured), a URL, more memory.
				Config: workerConfig(url, name, workerOpts{artifact: art, crons: `["*/5 * * * *", "0 18 * * FRIL"]`, url: `{ invoke_mode = "RESPONSE_STREAM" }`, memory: 512}),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkWorker(a, name, "", 512, []string{"*/5 * * * * => cron(0/5 * * * ? *)", "0 18 * * FRIL => cron(0 18 ? * 6L *)"}, true),
					resource.TestCheckResourceAttr("ferry_worker.test", "environment.FERRY_INVOKE_MODE", "RESPONSE_STREAM"),
				),
			},
			{
				// Plan-time validation: a cron EventBridge cannot express.
				Config:      workerConfig(url, name, workerOpts{artifact: art, crons: `["0 0 1 * MON"]`}),
				ExpectError: regexp.MustCompile(`(?s)Invalid cron trigger.*EventBridge\s+cannot\s+restrict\s+both\s+day\s+of\s+month\s+\(1\)`),
			},
		},
	})
}

func TestAccWorker_validation(t *testing.T) {
	url := accEnv(t)
	art := writeArtifact(t, filepath.Join(t.TempDir(), "lambda.zip"), workerManifest(), "v1")
	cfg := providerHCL(url) + fmt.Sprintf(`
resource "ferry_worker" "test" {
  name          = "bad-wiring"
  artifact      = %q
  kv_namespaces = { CACH = "some-table" }
  queues        = { jobs = "jobs" }
}
`, hcl(art))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config:      cfg,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)The build declares the KV binding "CACHE", but kv_namespaces has no entry.*the build has no KV binding\s+"CACH"`),
		}},
	})
}

func TestAccWorker_import(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("app")
	art := writeArtifact(t, filepath.Join(t.TempDir(), "lambda.zip"), workerManifest("*/5 * * * *"), "v1")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             workerGone(a, name),
		Steps: []resource.TestStep{
			{Config: workerConfig(url, name, workerOpts{artifact: art, url: "{}"})},
			{ResourceName: "ferry_worker.test", ImportState: true, ImportStateId: name, ImportStateVerify: true,
				ImportStateVerifyIdentifierAttribute: "name",
				// What only the configuration knows: the artifact path, the
				// queue map (recoverable only with the build), the crons
				// (their rules are named by hash) and the secrets.
				ImportStateVerifyIgnore: []string{"artifact", "queues", "crons", "secrets", "tags"}},
		},
	})
}

func TestAccWorker_disappears(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("app")
	art := writeArtifact(t, filepath.Join(t.TempDir(), "lambda.zip"), workerManifest("*/5 * * * *"), "v1")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				// A cron rule deleted outside Terraform is planned back.
				Config: workerConfig(url, name, workerOpts{artifact: art}),
				Check: func(*terraform.State) error {
					rule := aws.String(awsplan.CronRuleName(name, "*/5 * * * *"))
					if _, err := a.events.RemoveTargets(bg, &eventbridge.RemoveTargetsInput{Rule: rule, Ids: []string{"ferry"}}); err != nil {
						return err
					}
					_, err := a.events.DeleteRule(bg, &eventbridge.DeleteRuleInput{Name: rule})
					return err
				},
				ExpectNonEmptyPlan: true,
			},
			{
				// The next apply restores it; then the function itself disappears.
				Config: workerConfig(url, name, workerOpts{artifact: art}),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkWorker(a, name, "", 256, []string{"*/5 * * * * => cron(0/5 * * * ? *)"}, false),
					func(*terraform.State) error {
						_, err := a.lambda.DeleteFunction(bg, &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
						return err
					},
				),
				ExpectNonEmptyPlan: true,
			},
		},
	})
}
