//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package local

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockQueues locks queues.lock in dir for as long as the returned file stays
// open. alone reports that no other process held it: the lock is then
// exclusive, the caller may treat every lease in the database as abandoned,
// and it calls shareQueues once it has released them (a process starting
// meanwhile waits rather than lease messages about to be released). Otherwise
// the lock is shared. The kernel drops a dead process's lock, even after
// kill -9, which is what makes this a liveness test.
func lockQueues(dir string) (f *os.File, alone bool, err error) {
	f, err = os.OpenFile(filepath.Join(dir, "queues.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, false, err
	}
	fd := int(f.Fd())
	if err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
		return f, true, nil
	}
	// Another process holds it shared (running) or exclusive (starting, for
	// the moment it takes to release old leases).
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := syscall.Flock(fd, syscall.LOCK_SH|syscall.LOCK_NB)
		if err == nil {
			return f, false, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			f.Close()
			return nil, false, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// shareQueues turns the exclusive lock from lockQueues into a shared one.
func shareQueues(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_SH)
}
