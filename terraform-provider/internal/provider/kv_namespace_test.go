package provider

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ferry-run/ferry/bindings/dynamo"
)

func kvConfig(url, name, tags string) string {
	return providerHCL(url) + fmt.Sprintf(`
resource "ferry_kv_namespace" "test" {
  name = %q
  tags = { %s }
}
`, name, tags)
}

// checkKVTable checks the table through DynamoDB: the contract's schema,
// on-demand, TTL on exp, and the given tags.
func checkKVTable(a *awsClients, name string, tags map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := a.ddb.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return err
		}
		tb := out.Table
		if tb.BillingModeSummary == nil || tb.BillingModeSummary.BillingMode != ddbtypes.BillingModePayPerRequest {
			return fmt.Errorf("billing mode %+v, want PAY_PER_REQUEST", tb.BillingModeSummary)
		}
		if p := kvSchemaProblem(tb); p != "" {
			return fmt.Errorf("table %s", p)
		}
		gsi := tb.GlobalSecondaryIndexes[0]
		if aws.ToString(gsi.KeySchema[0].AttributeName) != dynamo.AttrList || aws.ToString(gsi.KeySchema[1].AttributeName) != dynamo.AttrKey ||
			gsi.Projection.ProjectionType != ddbtypes.ProjectionTypeInclude {
			return fmt.Errorf("index %+v", gsi)
		}
		ttl, err := a.ddb.DescribeTimeToLive(bg, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
		if err != nil {
			return err
		}
		if d := ttl.TimeToLiveDescription; d.TimeToLiveStatus != ddbtypes.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != dynamo.AttrExp {
			return fmt.Errorf("TTL %s on %q, want ENABLED on exp", d.TimeToLiveStatus, aws.ToString(d.AttributeName))
		}
		got, err := a.ddb.ListTagsOfResource(bg, &dynamodb.ListTagsOfResourceInput{ResourceArn: tb.TableArn})
		if err != nil {
			return err
		}
		have := map[string]string{}
		for _, tg := range got.Tags {
			have[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		if !equalMaps(have, tags) {
			return fmt.Errorf("tags %v, want %v", have, tags)
		}
		return nil
	}
}

func kvTableGone(a *awsClients, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := a.ddb.DescribeTable(bg, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		var nf *ddbtypes.ResourceNotFoundException
		if !errors.As(err, &nf) {
			return fmt.Errorf("table %q still exists after destroy (%v)", name, err)
		}
		return nil
	}
}

func TestAccKVNamespace_basic(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("kv")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             kvTableGone(a, name),
		Steps: []resource.TestStep{{
			Config: kvConfig(url, name, `team = "a"`),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkKVTable(a, name, map[string]string{"team": "a"}),
				resource.TestCheckResourceAttr("ferry_kv_namespace.test", "id", name),
				resource.TestCheckResourceAttr("ferry_kv_namespace.test", "arn", "arn:aws:dynamodb:us-east-1:123456789012:table/"+name),
			),
		}},
	})
}

func TestAccKVNamespace_update(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("kv")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             kvTableGone(a, name),
		Steps: []resource.TestStep{
			{Config: kvConfig(url, name, `team = "a"`), Check: checkKVTable(a, name, map[string]string{"team": "a"})},
			{Config: kvConfig(url, name, `env = "prod"`), Check: checkKVTable(a, name, map[string]string{"env": "prod"})},
		},
	})
}

func TestAccKVNamespace_import(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("kv")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             kvTableGone(a, name),
		Steps: []resource.TestStep{
			{Config: kvConfig(url, name, "")},
			{ResourceName: "ferry_kv_namespace.test", ImportState: true, ImportStateId: name, ImportStateVerify: true,
				ImportStateVerifyIdentifierAttribute: "name"},
		},
	})
}

func TestAccKVNamespace_disappears(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("kv")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: kvConfig(url, name, ""),
			Check: func(*terraform.State) error {
				_, err := a.ddb.DeleteTable(bg, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
				return err
			},
			ExpectNonEmptyPlan: true, // the refresh drops it and plans to create it again
		}},
	})
}
