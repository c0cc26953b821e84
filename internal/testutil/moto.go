//go:build linux

package testutil

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

var moto struct {
	once sync.Once
	url  string
	err  error
}

// Moto returns the URL of a moto_server (the AWS emulator: DynamoDB, S3,
// SQS, IAM, Lambda, EventBridge, STS) on a free 127.0.0.1 port, shared by
// every test of the test binary. Tests keep apart by naming their tables,
// buckets and queues uniquely (t.Name() plus a counter); MotoReset wipes
// everything for a test that needs an empty account.
//
// The server is started once, on first use, and dies with the test binary
// (PR_SET_PDEATHSIG): nothing outlives `go test`. Where moto_server is not
// installed the test is skipped, except under CI (CI set in the
// environment), where a missing peer fails the test: CI must never pass by
// skipping the AWS tests.
func Moto(t testing.TB) string {
	t.Helper()
	moto.once.Do(func() { moto.url, moto.err = startMoto() })
	if moto.err == errNoMoto {
		if os.Getenv("CI") != "" {
			t.Fatal("moto_server is not installed, and CI needs it for the AWS tests (pip install 'moto[server]')")
		}
		t.Skip("moto_server is not installed (pip install 'moto[server]')")
	}
	if moto.err != nil {
		t.Fatal(moto.err)
	}
	return moto.url
}

// MotoReset empties moto's state (every service, every region).
func MotoReset(t testing.TB, url string) {
	t.Helper()
	res, err := http.Post(url+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("resetting moto: %v", err)
	}
	res.Body.Close()
}

var errNoMoto = fmt.Errorf("moto_server is not installed")

func startMoto() (string, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return "", errNoMoto
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	// Pdeathsig fires when the thread that started the child exits, not the
	// process: start it from a goroutine locked to its thread that then
	// waits for the child for as long as the process lives.
	started := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
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
		return "", fmt.Errorf("starting moto_server: %w", err)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(url + "/moto-api/")
		if err == nil {
			res.Body.Close()
			return url, nil
		}
		select {
		case <-exited:
			return "", fmt.Errorf("moto_server exited at start")
		default:
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("moto_server did not answer on %s within 60 s: %v", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
