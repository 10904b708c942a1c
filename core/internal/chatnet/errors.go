package chatnet

import (
	"errors"
	"fmt"
)

// Errors returned by this package. Callers branch on them with errors.Is.
var (
	// ErrProtocol means a peer sent bytes that break the protocol: a frame
	// over its bound, a length that does not match, a non-canonical form,
	// an unknown operation or status.
	ErrProtocol = errors.New("chatnet: protocol violation")
	// ErrTooLarge means a request the caller asked to send is over a limit
	// of the protocol (entries, frontier pairs, IDs, bytes).
	ErrTooLarge = errors.New("chatnet: request too large")
	// ErrBadAnswer means a well-formed answer does not match its request:
	// an entry that does not verify, of another group, not asked for,
	// not beyond the frontier, or sent twice; more accepted than pushed; a
	// prekey or name record of another account; an inbox listing a group
	// twice; a groups answer over its limit, with a create that is not of
	// a public group whose name matches, or a group twice.
	ErrBadAnswer = errors.New("chatnet: bad answer")
	// ErrRefused means the peer answered StatusRefused: over its limits
	// for this peer, or its Sink declined. Ask again later, or elsewhere.
	ErrRefused = errors.New("chatnet: refused")
	// ErrUnknownGroup means the peer answered StatusUnknownGroup: it holds
	// nothing of the group. A Sink returns it (wrapped) to have a push
	// answered so.
	ErrUnknownGroup = errors.New("chatnet: unknown group")
	// ErrBadRequest means the peer answered StatusBadRequest: it found the
	// request invalid (a bad signature, a stale inbox request, an
	// operation it does not serve).
	ErrBadRequest = errors.New("chatnet: bad request")
	// ErrNotFound means the peer answered StatusNotFound: it holds no
	// prekey record (or name record) of the account.
	ErrNotFound = errors.New("chatnet: not found")
	// ErrUnauthorized means an inbox request's signature does not verify
	// against its account, its time is more than InboxSkew from the
	// server's clock, or it names another server.
	ErrUnauthorized = errors.New("chatnet: inbox request not authorized")
	// ErrInboxFull means an Inbox holds its maximum of recipients and
	// refused a new one.
	ErrInboxFull = errors.New("chatnet: inbox full")
)

// Status is the first byte of every response.
type Status byte

// Statuses. Only a StatusOK response carries more than its status byte.
const (
	// StatusOK: the request was served; the rest of the response is the
	// answer of its operation.
	StatusOK Status = 0
	// StatusRefused: over a limit for this peer (streams, requests,
	// bytes), or declined by the server's Sink.
	StatusRefused Status = 1
	// StatusUnknownGroup: the server holds nothing of the named group.
	StatusUnknownGroup Status = 2
	// StatusBadRequest: the request is malformed or invalid (a bad
	// signature or time of an inbox request, an entry that does not
	// verify, an operation the server does not serve).
	StatusBadRequest Status = 3
	// StatusNotFound: no prekey record (prekey) or name record (record)
	// of the account is held.
	StatusNotFound Status = 4

	maxStatus = StatusNotFound
)

func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusRefused:
		return "refused"
	case StatusUnknownGroup:
		return "unknown group"
	case StatusBadRequest:
		return "bad request"
	case StatusNotFound:
		return "not found"
	}
	return fmt.Sprintf("status(%d)", byte(s))
}

// err returns the error of a response with status s other than StatusOK.
func (s Status) err() error {
	switch s {
	case StatusRefused:
		return ErrRefused
	case StatusUnknownGroup:
		return ErrUnknownGroup
	case StatusBadRequest:
		return ErrBadRequest
	case StatusNotFound:
		return ErrNotFound
	}
	return nil
}

// violation returns an error wrapping ErrProtocol with a reason formatted
// as by fmt.Sprintf.
func violation(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrProtocol, fmt.Sprintf(format, a...))
}
