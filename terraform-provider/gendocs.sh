#!/usr/bin/env bash
# Regenerates terraform-provider/docs with tfplugindocs, offline: the schema
# comes from this provider through the local terraform CLI (dev_overrides),
# so neither a registry nor a Terraform download is needed.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/bin/terraform-provider-ferry" .
mkdir "$tmp/cfg"
printf 'terraform {\n  required_providers {\n    ferry = { source = "ferry-run/ferry" }\n  }\n}\n' > "$tmp/cfg/main.tf"
printf 'provider_installation {\n  dev_overrides {\n    "ferry-run/ferry" = "%s/bin"\n  }\n  direct {}\n}\n' "$tmp" > "$tmp/dev.tfrc"
(cd "$tmp/cfg" && TF_CLI_CONFIG_FILE="$tmp/dev.tfrc" terraform providers schema -json) > "$tmp/schema.json"
# tfplugindocs looks the provider up under the default namespace.
sed -i 's#registry.terraform.io/ferry-run/ferry#registry.terraform.io/hashicorp/ferry#' "$tmp/schema.json"
go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@v0.25.0 generate \
  --provider-name ferry --rendered-provider-name Ferry --providers-schema "$tmp/schema.json"
