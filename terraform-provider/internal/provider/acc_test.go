package provider

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/internal/testutil"
)

// Acceptance tests run the real terraform CLI against this provider, in
// process, and moto_server (testutil.Moto). They set TF_ACC themselves, so
// `go test` runs them wherever terraform and moto_server are installed
// (scripts/test installs terraform when it is missing); elsewhere they skip,
// except under CI, where a missing peer fails.

const testRegion = "us-east-1"

var factories = map[string]func() (tfprotov6.ProviderServer, error){
	"ferry": providerserver.NewProtocol6WithError(New("test")()),
}

// accEnv prepares an acceptance test and returns the moto URL.
func accEnv(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		if _, err := exec.LookPath("terraform"); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("the terraform CLI is not on PATH: scripts/test installs it (go install github.com/hashicorp/terraform@v1.5.7)")
			}
			t.Skip("the terraform CLI is not on PATH (scripts/test installs it)")
		}
	}
	url := testutil.Moto(t)
	t.Setenv("TF_ACC", "1")
	// Nothing of the host's AWS setup may leak in.
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	return url
}

// providerHCL is the provider block pointing every service at moto.
func providerHCL(url string) string {
	return fmt.Sprintf(`
provider "ferry" {
  region            = %q
  access_key        = "test"
  secret_key        = "test"
  s3_use_path_style = true
  endpoints {
    dynamodb = %[2]q
    s3       = %[2]q
    sqs      = %[2]q
    lambda   = %[2]q
    iam      = %[2]q
    events   = %[2]q
    sts      = %[2]q
  }
}
`, testRegion, url)
}

var seq atomic.Int64

// uniqueName is a name no other test uses (moto is shared by the binary).
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, os.Getpid()%100000, seq.Add(1))
}

// awsClients are SDK clients for checking what the provider created.
type awsClients struct {
	ddb    *dynamodb.Client
	s3     *s3.Client
	sqs    *sqs.Client
	lambda *lambda.Client
	iam    *iam.Client
	events *eventbridge.Client
}

func newAWS(url string) *awsClients {
	cfg := aws.Config{
		Region:       testRegion,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(url),
	}
	return &awsClients{
		ddb:    dynamodb.NewFromConfig(cfg),
		s3:     s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		sqs:    sqs.NewFromConfig(cfg),
		lambda: lambda.NewFromConfig(cfg),
		iam:    iam.NewFromConfig(cfg),
		events: eventbridge.NewFromConfig(cfg),
	}
}

var bg = context.Background()

// writeArtifact writes a Lambda artifact zip like `ferry build` makes, with
// the manifest m and a bundle whose content is code (a different code gives
// a different hash), and returns its path.
func writeArtifact(t *testing.T, path string, m *manifest.Manifest, code string) string {
	t.Helper()
	m.Schema, m.Bundle, m.Format = manifest.Schema, manifest.BundleFile, "module"
	m.Runtime, m.Handler = manifest.Runtime, manifest.BootstrapExe
	if m.Architecture == "" {
		m.Architecture = "x86_64"
	}
	mj, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range []struct{ name, body string }{
		{manifest.BootstrapExe, "#!/bin/sh\n"}, {manifest.BundleFile, code}, {manifest.FileName, string(mj)},
	} {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// hcl escapes a path for a configuration string.
func hcl(s string) string { return strings.ReplaceAll(s, `\`, `\\`) }
