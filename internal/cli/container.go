package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	lambdaadapter "github.com/ferry-run/ferry/adapters/lambda"
	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core/bundle"
)

// Files of the container target's output directory (the image's build
// context).
const (
	containerExe  = "ferry"       // the static linux ferry serve binary (cmd/serve), /ferry in the image
	containerApp  = "app"         // the bundle and manifest, /app in the image
	containerData = "data"        // an empty directory, /data: the embedded store
	containerPort = 8080          // what the image listens on ($PORT overrides it)
	containerUser = "65532:65532" // distroless's nonroot user
)

// containerBase is the image the Dockerfile starts from: no shell, no
// package manager, CA certificates and time zones (fetch() needs the first),
// a nonroot user.
const containerBase = "gcr.io/distroless/static-debian12:nonroot"

// buildContainer writes the container target: the bundle and its manifest
// under app/ (the Lambda package's format, which ferry serve reads), a static
// ferry binary, an empty data/ and a Dockerfile.
func buildContainer(st *State, o *buildOptions, m *manifest.Manifest, b *bundle.Result, goarch, out, wd string, start time.Time) error {
	m.Runtime, m.Handler = "container", "/"+containerExe
	if err := os.MkdirAll(filepath.Join(out, containerData), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", out, err)
	}
	if err := lambdaadapter.WriteBundle(filepath.Join(out, containerApp), m, b); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(out, ".build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// ferry serve alone (cmd/serve), without the AWS SDK when the Worker
	// has no binding that could live on AWS, as for Lambda's bootstrap.
	tags := bootstrapTags
	if !needsAWS(m) {
		tags += "," + noAWSTag
	}
	bin, how, err := lambdaBootstrap(st, o.bootstrap, goarch, tmp, servePkg, tags)
	if err != nil {
		return err
	}
	exe := filepath.Join(out, containerExe)
	if filepath.Dir(bin) == tmp {
		err = os.Rename(bin, exe)
	} else {
		err = copyExecutable(bin, exe)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", exe, err)
	}
	if err := os.WriteFile(filepath.Join(out, "Dockerfile"), []byte(dockerfile(m)), 0o644); err != nil {
		return fmt.Errorf("writing the Dockerfile: %w", err)
	}
	if err := os.WriteFile(filepath.Join(out, ".dockerignore"), []byte(".build-*\n"), 0o644); err != nil {
		return fmt.Errorf("writing .dockerignore: %w", err)
	}

	fmt.Fprintf(st.Stdout, "Built %s for containers (linux/%s) in %v:\n", m.Name, goarch, time.Since(start).Round(time.Millisecond))
	for _, f := range []string{containerExe, filepath.Join(containerApp, manifest.BundleFile), filepath.Join(containerApp, manifest.FileName), "Dockerfile"} {
		fi, err := os.Stat(filepath.Join(out, f))
		if err != nil {
			return err
		}
		note := ""
		if f == containerExe {
			note = "  " + how
		}
		fmt.Fprintf(st.Stdout, "  %-52s %10s%s\n", relTo(wd, filepath.Join(out, f)), sizeText(fi.Size()), note)
	}
	fmt.Fprintf(st.Stdout, "Handlers: %s\n", strings.Join(m.Handlers, ", "))
	fmt.Fprintf(st.Stdout, "Build the image: docker build -t %s %s\n", imageName(m.Name), relTo(wd, out))
	fmt.Fprintf(st.Stdout, "Run it here: %s serve %s\n", relTo(wd, exe), relTo(wd, filepath.Join(out, containerApp)))
	return nil
}

// dockerfile is the image recipe: the binary, the app, a writable /data for
// the embedded store, a non-root user; ferry serve /app as the entry point,
// its flags in CMD so `docker run IMAGE --grace 5s` can replace them.
func dockerfile(m *manifest.Manifest) string {
	return fmt.Sprintf(`# %[1]s: built by ferry build --target container (ferry %[2]s).
# docker build -t %[3]s . && docker run -p 8080:8080 %[3]s
FROM %[4]s
COPY %[5]s /%[5]s
COPY %[6]s /%[6]s
COPY --chown=%[7]s %[8]s /%[8]s
USER %[7]s
ENV PORT=%[9]d
EXPOSE %[9]d
ENTRYPOINT ["/%[5]s", "serve", "/%[6]s"]
CMD ["--persist-to", "/%[8]s"]
`, m.Name, Version, imageName(m.Name), containerBase, containerExe, containerApp, containerUser, containerData, containerPort)
}

// imageName is a valid image name for the Worker's name.
func imageName(name string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			sb.WriteRune(r)
		default:
			sb.WriteByte('-')
		}
	}
	if n := strings.Trim(sb.String(), "-_."); n != "" {
		return n
	}
	return "worker"
}

func copyExecutable(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
