//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package local

import "os"

// lockQueues is a no-op where Ferry takes no file locks: leases of a process
// that died run out after their visibility timeout instead of being released
// at start-up.
func lockQueues(dir string) (f *os.File, alone bool, err error) { return nil, false, nil }

func shareQueues(f *os.File) error { return nil }
