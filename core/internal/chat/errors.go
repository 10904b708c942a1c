package chat

import "errors"

// Errors the engine returns for the account's own actions; each is
// returned wrapped, branch with errors.Is.
var (
	ErrNotMember      = errors.New("not a member of this group")
	ErrNotAdmin       = errors.New("only an admin of the group can do this")
	ErrInviteInvalid  = errors.New("no valid invitation: it expired, was already used, or was never sent to you")
	ErrInvalidMessage = errors.New("invalid message: 1 to 4000 characters, no control or bidirectional-override characters")
	ErrUnknownGroup   = errors.New("unknown group")
	ErrLastAdmin      = errors.New("a group needs an admin: make someone else admin first")
)

// Reasons an entry from the network is refused; Result.Err wraps the first
// met in an Ingest or Tick, and Stats.Dropped counts each by name.
var (
	ErrFuture      = errors.New("chat: entry time more than 60 s in the future")
	ErrUnwanted    = errors.New("chat: entry of a group this engine does not keep")
	ErrFork        = errors.New("chat: another entry already holds this author's seq")
	ErrCausality   = errors.New("chat: entry's prev or time contradicts its causal past")
	ErrPendingFull = errors.New("chat: too many entries waiting for their predecessors")
	ErrNonMember   = errors.New("chat: entry by an account that is not in the group")
	ErrMalformed   = errors.New("chat: entry body does not parse for its kind")
	ErrTooMany     = errors.New("chat: too many groups")
	ErrClosed      = errors.New("chat: engine closed")
	ErrExpired     = errors.New("chat: entry waited for its predecessors longer than the retention")
	ErrNoKey       = errors.New("chat: no prekey for a member: they must come online once")
)

// ErrDM is returned for what a DM does not allow (leave, invite, remove,
// roles).
var ErrDM = errors.New("chat: not possible in a direct conversation")

// ErrBadCursor is returned by Messages for a cursor it did not make.
var ErrBadCursor = errors.New("chat: invalid cursor")

var errKeyless = errors.New("chat: a keyless engine has no account to act for")
