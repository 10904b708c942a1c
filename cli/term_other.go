//go:build !linux && !darwin

package cli

import (
	"errors"
	"os"
)

// On other systems stdin is treated as a pipe: a password typed at a prompt
// is echoed. Use $SKEIN_PASSWORD or --password-file there.

func isTerminal(*os.File) bool { return false }

func noEcho(*os.File) (func(), error) { return nil, errors.New("not supported on this system") }
