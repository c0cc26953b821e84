//go:build !ferry_noaws

package lambdaboot

import lambdaadapter "github.com/ferry-run/ferry/adapters/lambda"

// awsOptions are the handler's AWS clients: SQS for queue consumers'
// retries and re-delays (made on first use).
func awsOptions() []lambdaadapter.Option {
	return []lambdaadapter.Option{lambdaadapter.WithVisibility(&lambdaadapter.SQSVisibility{})}
}
