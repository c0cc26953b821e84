// Package awsplan is the pure part of the Ferry Terraform provider: what a
// Worker's AWS resources are called, which IAM permissions its function
// needs, which environment its Lambda bootstrap reads, and how a build
// artifact is read. Nothing here calls AWS or imports the Terraform plugin
// framework, so all of it is tested with plain unit tests; the provider
// (package provider) is the glue that sends the requests.
//
// Names follow the AWS services' documented rules, checked at plan time so a
// bad name fails `terraform plan` with the rule instead of failing half-way
// through an apply:
//
//	DynamoDB table   3-255 of A-Z a-z 0-9 _ . -
//	S3 bucket        3-63 of a-z 0-9 . -, starting and ending with a letter or
//	                 digit, no "..", not an IP address, no reserved prefix/suffix
//	SQS queue        1-80 of A-Z a-z 0-9 _ - (standard queues; no .fifo)
//	Lambda function  1-64 of A-Z a-z 0-9 _ -
//	IAM role         1-64 of A-Z a-z 0-9 + = , . @ _ -
//	EventBridge rule 1-64 of A-Z a-z 0-9 . _ -
//
// The IAM policy (Policy) is least privilege: each KV table and its listing
// index, each bucket and its objects, each queue, each with only the actions
// the binding uses, and logs only in the function's own log group.
package awsplan
