//go:build !linux && !darwin

package cli

import (
	"errors"
	"os"
)

// On other systems the chat reads whole lines, as from a pipe.

func rawMode(*os.File) (func(), error) { return nil, errors.New("not supported on this system") }

func readable(*os.File, int) (bool, error) { return true, nil }
