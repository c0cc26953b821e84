//go:build ferry_noaws

package lambdaboot

import lambdaadapter "github.com/ferry-run/ferry/adapters/lambda"

// awsOptions: none in a build without AWS support (a Worker with no queue
// consumer needs no SQS client).
func awsOptions() []lambdaadapter.Option { return nil }
