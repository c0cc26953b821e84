// Command serve is `ferry serve` alone (internal/serve) for build
// directories: what ferry build --target container compiles into an image
// as /ferry, so that its ENTRYPOINT ["/ferry", "serve", "/app"] and every
// ferry serve flag work as with the ferry command. Without the CLI's other
// commands and esbuild (and, built with ferry_noaws, the AWS SDK) it is a
// smaller binary that starts faster.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ferry-run/ferry/internal/serve"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := serve.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
