package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

func bucketConfig(url, name string, block bool) string {
	return providerHCL(url) + fmt.Sprintf(`
resource "ferry_bucket" "test" {
  name                = %q
  block_public_access = %t
  force_destroy       = true
}
`, name, block)
}

func checkBucket(a *awsClients, name string, blocked bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, err := a.s3.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String(name)}); err != nil {
			return fmt.Errorf("bucket %q: %w", name, err)
		}
		out, err := a.s3.GetPublicAccessBlock(bg, &s3.GetPublicAccessBlockInput{Bucket: aws.String(name)})
		got := err == nil && aws.ToBool(out.PublicAccessBlockConfiguration.BlockPublicAcls) && aws.ToBool(out.PublicAccessBlockConfiguration.BlockPublicPolicy) &&
			aws.ToBool(out.PublicAccessBlockConfiguration.IgnorePublicAcls) && aws.ToBool(out.PublicAccessBlockConfiguration.RestrictPublicBuckets)
		if got != blocked {
			return fmt.Errorf("public access blocked = %v (%v), want %v", got, err, blocked)
		}
		return nil
	}
}

func bucketGone(a *awsClients, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, err := a.s3.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String(name)}); err == nil {
			return fmt.Errorf("bucket %q still exists after destroy", name)
		}
		return nil
	}
}

func TestAccBucket_basic(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("files")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             bucketGone(a, name),
		Steps: []resource.TestStep{{
			Config: bucketConfig(url, name, true),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkBucket(a, name, true),
				resource.TestCheckResourceAttr("ferry_bucket.test", "arn", "arn:aws:s3:::"+name),
				// force_destroy: an object left in the bucket does not block destroy.
				func(*terraform.State) error {
					_, err := a.s3.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("left/behind"), Body: strings.NewReader("x")})
					return err
				},
			),
		}},
	})
}

func TestAccBucket_update(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("files")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             bucketGone(a, name),
		Steps: []resource.TestStep{
			{Config: bucketConfig(url, name, true), Check: checkBucket(a, name, true)},
			{Config: bucketConfig(url, name, false), Check: checkBucket(a, name, false)},
			{Config: bucketConfig(url, name, true), Check: checkBucket(a, name, true)},
			{
				// Drift: public access unblocked outside Terraform shows in the plan.
				Config: bucketConfig(url, name, true),
				Check: func(*terraform.State) error {
					_, err := a.s3.DeletePublicAccessBlock(bg, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(name)})
					return err
				},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccBucket_import(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("files")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             bucketGone(a, name),
		Steps: []resource.TestStep{
			{Config: bucketConfig(url, name, true)},
			{ResourceName: "ferry_bucket.test", ImportState: true, ImportStateId: name, ImportStateVerify: true,
				ImportStateVerifyIdentifierAttribute: "name", ImportStateVerifyIgnore: []string{"force_destroy"}},
		},
	})
}

func TestAccBucket_disappears(t *testing.T) {
	url := accEnv(t)
	a, name := newAWS(url), uniqueName("files")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: bucketConfig(url, name, true),
			Check: func(*terraform.State) error {
				_, err := a.s3.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String(name)})
				return err
			},
			ExpectNonEmptyPlan: true,
		}},
	})
}
