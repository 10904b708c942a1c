package keystore

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// MaxKeyFileSize is the largest input ParseKeyFile reads, in bytes. The files
// MarshalKeyFile writes are under 250 bytes.
const MaxKeyFileSize = 4 << 10

// Parts of a key file; the package documentation shows one.
const (
	keyFileHeader = "skein-key-file v1"
	keyFileLines  = 4
	// createdLayout is RFC 3339 with exactly three fractional digits.
	createdLayout = "2006-01-02T15:04:05.000Z07:00"
)

// Export is what a key file holds: an account's name and creation time, and
// its key sealed with the account's password.
type Export struct {
	Name    string    // account name, as entry.ValidName accepts
	Created time.Time // when the account was created; kept to the millisecond, in UTC
	Secret  []byte    // the sealed key, as Seal returns it; Open(Secret, password) unseals it
}

// check reports what keeps x from being written as a key file.
func (x Export) check() error {
	if err := entry.ValidName(x.Name); err != nil {
		return err
	}
	if y := x.Created.UTC().Year(); y < 0 || y > 9999 {
		return fmt.Errorf("created year %d is outside 0 to 9999", y)
	}
	if _, err := checkBlob(x.Secret); err != nil {
		return fmt.Errorf("secret: %s", err)
	}
	return nil
}

// MarshalKeyFile returns x as a key file: four lines of text, the format
// ParseKeyFile reads. Created is written in UTC and truncated to the
// millisecond. Like pem.EncodeToMemory, it returns nil if x cannot be
// written: if Name is not a valid account name, Created is outside the years
// 0 to 9999, or Secret is not an intact sealed key.
func MarshalKeyFile(x Export) []byte {
	if x.check() != nil {
		return nil
	}
	return fmt.Appendf(nil, "%s\nname: %s\ncreated: %s\nsecret: %s\n",
		keyFileHeader,
		x.Name,
		x.Created.UTC().Format(createdLayout),
		base64.StdEncoding.EncodeToString(x.Secret))
}

// ParseKeyFile reads a key file written by MarshalKeyFile. It returns an
// error wrapping ErrBadKeyFile, naming the line at fault, unless b is at most
// MaxKeyFileSize bytes and holds exactly the four lines MarshalKeyFile writes,
// in order, with a valid account name, a UTC time with milliseconds, and a
// sealed key in canonical base64 whose checksum and parameters are intact.
// Text copied through chat or email often gains white space, so ParseKeyFile
// ignores white space before and after the file and at the ends of lines,
// and accepts CRLF line breaks. It does not check the password: the returned
// Secret is still sealed.
func ParseKeyFile(b []byte) (Export, error) {
	if len(b) > MaxKeyFileSize {
		return Export{}, fmt.Errorf("%w: %d bytes, more than the %d a key file can have: choose the file the export wrote", ErrBadKeyFile, len(b), MaxKeyFileSize)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	if lines[0] != keyFileHeader {
		if strings.HasPrefix(lines[0], "skein-key-file ") {
			return Export{}, fmt.Errorf("%w: line 1: unsupported version: update Skein to import this file", ErrBadKeyFile)
		}
		return Export{}, fmt.Errorf("%w: not a Skein key file: the first line must be %q", ErrBadKeyFile, keyFileHeader)
	}
	if len(lines) != keyFileLines {
		return Export{}, fmt.Errorf("%w: %d lines, want %d: the file was cut short or edited", ErrBadKeyFile, len(lines), keyFileLines)
	}

	var x Export
	name, err := keyFileField(lines, 1, "name")
	if err != nil {
		return Export{}, err
	}
	if err := entry.ValidName(name); err != nil {
		return Export{}, fmt.Errorf("%w: line 2: %v", ErrBadKeyFile, err)
	}
	x.Name = name

	created, err := keyFileField(lines, 2, "created")
	if err != nil {
		return Export{}, err
	}
	// Only the exact form MarshalKeyFile writes is accepted, so each
	// export has one encoding.
	t, err := time.Parse(createdLayout, created)
	if err != nil || t.UTC().Format(createdLayout) != created {
		return Export{}, fmt.Errorf("%w: line 3: created must be a UTC time with milliseconds, such as %s", ErrBadKeyFile, "2024-05-01T12:34:56.789Z")
	}
	x.Created = t.UTC()

	secret, err := keyFileField(lines, 3, "secret")
	if err != nil {
		return Export{}, err
	}
	blob, err := base64.StdEncoding.DecodeString(secret)
	// DecodeString skips line breaks and accepts non-zero padding bits;
	// re-encoding rejects both.
	if err != nil || base64.StdEncoding.EncodeToString(blob) != secret {
		return Export{}, fmt.Errorf("%w: line 4: secret is not valid base64: the file was damaged", ErrBadKeyFile)
	}
	if _, err := checkBlob(blob); err != nil {
		return Export{}, fmt.Errorf("%w: line 4: secret is damaged: %s", ErrBadKeyFile, err)
	}
	x.Secret = blob
	return x, nil
}

// keyFileField returns the value of lines[i], which must be "key: value".
func keyFileField(lines []string, i int, key string) (string, error) {
	v, ok := strings.CutPrefix(lines[i], key+": ")
	if !ok {
		return "", fmt.Errorf("%w: line %d: want %q", ErrBadKeyFile, i+1, key+": …")
	}
	return v, nil
}
