// Command terraform-provider-ferry is the Ferry Terraform provider: it
// deploys `ferry build --target lambda` artifacts and their bindings to AWS
// (DynamoDB for KV, S3 for R2, SQS for queues, Lambda, EventBridge for cron
// triggers). Its source address is ferry-run/ferry:
//
//	terraform {
//	  required_providers {
//	    ferry = { source = "ferry-run/ferry" }
//	  }
//	}
//
// Build it with `go build -o terraform-provider-ferry ./terraform-provider`
// and point Terraform at it with a dev_overrides CLI configuration or a
// filesystem mirror (see examples/terraform/README.md).
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/ferry-run/ferry/terraform-provider/internal/provider"
)

// version is set with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	debug := flag.Bool("debug", false, "run with support for debuggers like delve")
	flag.Parse()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: provider.Address,
		Debug:   *debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
