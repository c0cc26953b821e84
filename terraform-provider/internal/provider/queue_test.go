package provider

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

func queueConfig(url, name, extra string) string {
	return providerHCL(url) + fmt.Sprintf(`
resource "ferry_queue" "dlq" {
  name = "%[1]s-dlq"
}
resource "ferry_queue" "test" {
  name = %[1]q
  %[2]s
}
`, name, extra)
}

// checkQueue checks the queue's attributes through SQS; maxReceive 0 means
// no redrive policy.
func checkQueue(a *awsClients, name string, visibility int, maxReceive int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		u, err := a.sqs.GetQueueUrl(bg, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		if err != nil {
			return err
		}
		out, err := a.sqs.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
		if err != nil {
			return err
		}
		at := out.Attributes
		if v := at["VisibilityTimeout"]; v != fmt.Sprint(visibility) {
			return fmt.Errorf("VisibilityTimeout %s, want %d", v, visibility)
		}
		if v := at["MessageRetentionPeriod"]; v != "345600" {
			return fmt.Errorf("MessageRetentionPeriod %s, want 345600", v)
		}
		rp := at["RedrivePolicy"]
		if maxReceive == 0 {
			if rp != "" {
				return fmt.Errorf("RedrivePolicy %s, want none", rp)
			}
			return nil
		}
		var p struct {
			Target string `json:"deadLetterTargetArn"`
			Count  any    `json:"maxReceiveCount"`
		}
		if err := json.Unmarshal([]byte(rp), &p); err != nil {
			return fmt.Errorf("RedrivePolicy %q: %v", rp, err)
		}
		if p.Target != "arn:aws:sqs:us-east-1:123456789012:"+name+"-dlq" || fmt.Sprint(p.Count) != fmt.Sprint(maxReceive) {
			return fmt.Errorf("RedrivePolicy %s, want %s-dlq after %d receives", rp, name, maxReceive)
		}
		return nil
	}
}

func queueGone(a *awsClients, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, err := a.sqs.GetQueueUrl(bg, &sqs.GetQueueUrlInput{QueueName: aws.String(name)}); err == nil {
			return fmt.Errorf("queue %q still exists after destroy", name)
		}
		return nil
	}
}

func TestAccQueue_basic(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("jobs")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             queueGone(a, name),
		Steps: []resource.TestStep{{
			Config: queueConfig(url, name, `dead_letter_queue = ferry_queue.dlq.name`),
			Check: resource.ComposeAggregateTestCheckFunc(
				// Defaults: visibility 6 x 30 s, max_retries 3 → 4 receives.
				checkQueue(a, name, 180, 4),
				resource.TestCheckResourceAttr("ferry_queue.test", "arn", "arn:aws:sqs:us-east-1:123456789012:"+name),
				resource.TestCheckResourceAttrSet("ferry_queue.test", "url"),
			),
		}},
	})
}

func TestAccQueue_update(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("jobs")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             queueGone(a, name),
		Steps: []resource.TestStep{
			{Config: queueConfig(url, name, ""), Check: checkQueue(a, name, 180, 0)},
			{Config: queueConfig(url, name, "consumer_timeout = 60\ndead_letter_queue = ferry_queue.dlq.name\nmax_retries = 9"), Check: checkQueue(a, name, 360, 10)},
			{Config: queueConfig(url, name, "visibility_timeout = 100"), Check: checkQueue(a, name, 100, 0)},
		},
	})
}

func TestAccQueue_import(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("jobs")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             queueGone(a, name),
		Steps: []resource.TestStep{
			{Config: queueConfig(url, name, `dead_letter_queue = ferry_queue.dlq.name`)},
			{ResourceName: "ferry_queue.test", ImportState: true, ImportStateId: name, ImportStateVerify: true,
				ImportStateVerifyIdentifierAttribute: "name"},
		},
	})
}

func TestAccQueue_disappears(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("jobs")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: queueConfig(url, name, ""),
			Check: func(*terraform.State) error {
				u, err := a.sqs.GetQueueUrl(bg, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
				if err != nil {
					return err
				}
				_, err = a.sqs.DeleteQueue(bg, &sqs.DeleteQueueInput{QueueUrl: u.QueueUrl})
				return err
			},
			ExpectNonEmptyPlan: true,
		}},
	})
}
