package main

import (
	"strconv"
	"syscall"
	"unsafe"
)

// monotonicNs is CLOCK_MONOTONIC, the clock behind Node's process.hrtime, so rtbench on this
// host can compare the stamp with its receive time (Go's time package keeps its reading private).
func monotonicNs() int64 {
	var ts syscall.Timespec
	const clockMonotonic = 1
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

// stamped is the publisher's message {"seq":n,"t":"<ns>"} that rtbench's listeners read.
func stamped(seq uint64) []byte {
	return []byte(`{"seq":` + strconv.FormatUint(seq, 10) + `,"t":"` + strconv.FormatInt(monotonicNs(), 10) + `"}`)
}
