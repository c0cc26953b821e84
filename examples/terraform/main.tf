# Deploys examples/terraform/worker to AWS with the Ferry provider alone:
# a KV namespace (DynamoDB), a bucket (S3), a queue with a dead-letter queue
# (SQS), and the Worker (IAM role, Lambda function with a public URL, an
# EventBridge rule for its cron, an SQS event source mapping).
#
#   ferry build --target lambda worker      # writes worker/.ferry/lambda.zip
#   terraform init && terraform apply
#   curl "$(terraform output -raw url)hello"
#
# See README.md for running it without the Terraform Registry and against a
# local AWS emulator.

terraform {
  required_providers {
    ferry = {
      source = "ferry-run/ferry"
    }
  }
}

variable "prefix" {
  description = "Prefix of every AWS resource name (S3 bucket names are global: make it yours)."
  type        = string
  default     = "ferry-demo"
}

variable "build" {
  description = "The Worker's build (`ferry build --target lambda worker`)."
  type        = string
  default     = "worker/.ferry/lambda.zip"
}

variable "s3_use_path_style" {
  description = "Address S3 by path: needed for local emulators."
  type        = bool
  default     = false
}

# Region, credentials and endpoints come from the usual AWS environment
# (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, ...).
provider "ferry" {
  s3_use_path_style = var.s3_use_path_style

  default_tags {
    tags = { app = var.prefix }
  }
}

# What the build needs: bindings, queues, crons, consumer settings.
data "ferry_worker_build" "app" {
  path = var.build
}

resource "ferry_kv_namespace" "counts" {
  name = "${var.prefix}-counts"
}

resource "ferry_bucket" "files" {
  name          = "${var.prefix}-files"
  force_destroy = true
}

resource "ferry_queue" "jobs_dlq" {
  name = "${var.prefix}-jobs-dlq"
}

resource "ferry_queue" "jobs" {
  name              = "${var.prefix}-jobs"
  dead_letter_queue = ferry_queue.jobs_dlq.name
  max_retries       = data.ferry_worker_build.app.queue_consumers[0].max_retries
  consumer_timeout  = local.ferry_worker_timeout
}

locals {
  ferry_worker_timeout = 30
}

resource "ferry_worker" "app" {
  name     = var.prefix
  artifact = data.ferry_worker_build.app.artifact
  timeout  = local.ferry_worker_timeout

  kv_namespaces = { COUNTS = ferry_kv_namespace.counts.name }
  r2_buckets    = { FILES = ferry_bucket.files.name }
  queues        = { jobs = ferry_queue.jobs.name }

  # crons default to the build's triggers.crons.
  function_url = {
    auth_type   = "NONE"
    invoke_mode = "BUFFERED"
  }
}

output "url" {
  description = "The Worker's function URL."
  value       = ferry_worker.app.url
}

output "function_arn" {
  value = ferry_worker.app.function_arn
}
