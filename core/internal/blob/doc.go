// Package blob identifies and verifies blobs: the bytes of images and other
// media attachments, content-addressed by their BLAKE3 root.
//
// Pure: no I/O but the reader given to Encode; everything is safe for
// concurrent use.
package blob
