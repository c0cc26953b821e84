package lambdaadapter

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// Start serves invocations from the Lambda Runtime API named by
// AWS_LAMBDA_RUNTIME_API, one at a time (or as many at once as Lambda's
// AWS_LAMBDA_MAX_CONCURRENCY allows), and never returns; if the Runtime API
// fails, the process exits and Lambda starts a new one.
//
// It goes through aws-lambda-go's typed entry point rather than its
// lambda.Handler interface because only a handler returning an io.Reader can
// stream (function URLs in RESPONSE_STREAM mode), and because the loop closes
// that reader after sending it, before asking for the next event: Serve's
// Close waits there for ctx.waitUntil work, so buffered responses too reach
// the client before the waitUntil work ends. The event itself is decoded by
// Serve from the raw JSON; aws-lambda-go only copies it into a
// json.RawMessage.
func Start(h *Handler) {
	lambda.StartHandlerFunc(h.Serve)
}

// ReportInitError tells the Runtime API at api (host:port) that the function
// could not start, with err's text, so that Lambda reports a
// Runtime.InitError with it instead of a bare exit. The caller should exit
// afterwards.
func ReportInitError(api string, err error) error {
	body, _ := json.Marshal(map[string]string{"errorMessage": err.Error(), "errorType": "Ferry.InitError"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, rerr := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+api+"/2018-06-01/runtime/init/error", bytes.NewReader(body))
	if rerr != nil {
		return rerr
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Ferry.InitError")
	client := &http.Client{Transport: &http.Transport{Proxy: nil}} // the Runtime API is local: never through a proxy
	res, rerr := client.Do(req)
	if rerr != nil {
		return fmt.Errorf("reporting the init error to the Lambda Runtime API: %w", rerr)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusAccepted {
		return fmt.Errorf("reporting the init error to the Lambda Runtime API: status %d", res.StatusCode)
	}
	return nil
}
