// Command ferry runs Cloudflare Workers on AWS Lambda, Google Cloud Functions
// and any host with an HTTP server. See internal/cli for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ferry-run/ferry/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(cli.OSState(ctx))
	stop()
	os.Exit(code)
}
