// Command bootstrap is the Lambda custom runtime alone (internal/lambdaboot):
// what ferry build --target lambda compiles for a package when it can, a
// smaller binary than ferry that starts faster. The ferry binary runs the
// same runtime when AWS_LAMBDA_RUNTIME_API is set.
package main

import (
	"os"

	"github.com/ferry-run/ferry/internal/lambdaboot"
)

func main() { os.Exit(lambdaboot.Main()) }
