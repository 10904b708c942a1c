package syncproto

import (
	"errors"
	"fmt"
)

// Errors returned by this package. Every violation of the protocol by the
// peer wraps ErrProtocol; a message from the peer over its size or count cap
// wraps both ErrProtocol and ErrTooLarge, and one the caller tried to send
// wraps ErrTooLarge alone. I/O errors of the underlying stream are wrapped
// as they are, so deadlines and resets stay recognisable with errors.Is.
var (
	// ErrProtocol means the peer sent something the protocol does not allow.
	// Reset the stream and distrust the rest of the peer's answer.
	ErrProtocol = errors.New("syncproto: protocol violation")
	// ErrTooLarge means a message exceeds its size or count cap.
	ErrTooLarge = errors.New("syncproto: message too large")
	// ErrRefused means the peer understood a request and declined it.
	ErrRefused = errors.New("syncproto: refused")
)

// protocolError is a protocol violation: it wraps ErrProtocol and the
// causes that describe it further.
type protocolError struct {
	reason string
	causes []error
}

func (e *protocolError) Error() string   { return ErrProtocol.Error() + ": " + e.reason }
func (e *protocolError) Unwrap() []error { return e.causes }

// violation returns a protocol violation whose reason is formatted as by
// fmt.Errorf; errors given with %w stay visible to errors.Is.
func violation(format string, a ...any) error {
	err := fmt.Errorf(format, a...)
	return &protocolError{reason: err.Error(), causes: []error{ErrProtocol, err}}
}

// oversized returns the violation for a peer's message of at least n units
// (bytes, entries, wants) where limit is the most allowed.
func oversized(what string, n uint64, unit string, limit int) error {
	return &protocolError{
		reason: fmt.Sprintf("%s too large: at least %d %s, limit %d", what, n, unit, limit),
		causes: []error{ErrProtocol, ErrTooLarge},
	}
}
