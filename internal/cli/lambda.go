package cli

import (
	"log/slog"

	lambdaadapter "github.com/ferry-run/ferry/adapters/lambda"
	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core/env"
	"github.com/ferry-run/ferry/internal/lambdaboot"
)

// LambdaCPULimit is the CPU limit of an event on Lambda when the Worker sets
// none (limits.cpu_ms): Cloudflare's default on the Standard plan. Lambda's
// own timeout bounds the wall clock.
const LambdaCPULimit = lambdaboot.CPULimit

// runLambda is ferry as a Lambda custom runtime (internal/lambdaboot), run
// as `bootstrap` with AWS_LAMBDA_RUNTIME_API set.
func runLambda(st *State) error { return lambdaboot.Run(bootOptions(st)) }

func bootOptions(st *State) lambdaboot.Options {
	return lambdaboot.Options{Getenv: st.Getenv, Environ: st.Environ, Stderr: st.Stderr, Version: Version}
}

// lambdaHandler loads the package in dir and starts its Worker.
func lambdaHandler(st *State, dir string, log *slog.Logger) (*lambdaadapter.Handler, error) {
	return lambdaboot.Handler(bootOptions(st), dir, log)
}

// lambdaEnv builds the Worker's env on Lambda (lambdaboot.Env).
func lambdaEnv(m *manifest.Manifest, environ []string) (*env.Spec, error) {
	return lambdaboot.Env(m, environ)
}

func environ(st *State) []string {
	if st.Environ == nil {
		return nil
	}
	return st.Environ()
}
