//go:build !linux

package blobstore

import "os"

// dataSync flushes f to stable storage.
func dataSync(f *os.File) error { return f.Sync() }
