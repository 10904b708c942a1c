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
