package core

import (
	"errors"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/posttext"
	"github.com/skein-p2p/skein/core/internal/profiles"
	"github.com/skein-p2p/skein/core/internal/search"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Errors returned by Node methods. Returned errors wrap one of these where
// the caller may want to branch on the cause; the message says what to do.
var (
	ErrClosed        = errors.New("node is closed")
	ErrNotLoggedIn   = errors.New("not logged in: run login or register first")
	ErrLoggedIn      = errors.New("already logged in: log out first")
	ErrWrongPassword = errors.New("wrong password")
	ErrNoAccount     = errors.New("no such account on this device: register it first")
	ErrAccountExists = errors.New("an account with this name already exists on this device")
	ErrNameTaken     = errors.New("username is already claimed by another key")
	ErrNameConflict  = errors.New("username is claimed by more than one key")
	ErrUnknownName   = errors.New("no user with this name")
	// ErrOffline reports a lookup that no peer could answer: none is
	// connected.
	ErrOffline      = errors.New("no peers connected: check the device's network and the bootstrap addresses")
	ErrInvalidName  = entry.ErrInvalidName
	ErrInvalidPost  = posttext.ErrInvalid
	ErrNotFollowing = errors.New("not following this user")
	ErrSelfFollow   = errors.New("cannot follow yourself")
	ErrBadCursor    = errors.New("invalid cursor")
	ErrBadSecret    = errors.New("invalid recovery phrase or key file")
	ErrNoPost       = errors.New("no such post")
	ErrNotYours     = errors.New("not your post")
	ErrNotLiked     = errors.New("you have not liked this post")
	ErrRestoring    = errors.New("account is being restored: its log is still being fetched from the network; try again when restoring is done")
	// ErrNoSpace reports a write refused because the disk holding the
	// node's data is full. Nothing written before is lost, and writes work
	// again by themselves once space is freed, without a restart.
	ErrNoSpace = store.ErrNoSpace
	// ErrDataDirInUse reports a data directory that another node, in this
	// process or another, has open.
	ErrDataDirInUse = errors.New("this data directory is in use by another node")

	// ErrSelfMute reports an attempt to mute or block the logged-in
	// account itself.
	ErrSelfMute = errors.New("cannot mute or block yourself")
	// ErrBlocked reports a request for the posts of an account the
	// logged-in account blocked: unblock it first to see them.
	ErrBlocked = errors.New("you blocked this user: unblock them to see their posts")
	// ErrListFull reports a mute list, block list or bookmark list that
	// holds as many as an account may keep: remove some first.
	ErrListFull = errors.New("list is full: remove some of its entries first")

	ErrInvalidRequestID = errors.New("invalid request ID: use 1 to 64 ASCII letters, digits, '-', '_', '.' or ':'")
	ErrRequestIDReused  = errors.New("request ID already used for another request: use a new ID for each request")

	// ErrInvalidProfile reports a profile SetProfile refuses: a field too
	// long or only white space, control characters or bidirectional
	// overrides, or a link that is not an http:// or https:// URL.
	ErrInvalidProfile = profiles.ErrInvalid
	// ErrBadQuery reports a search query that is empty, longer than 100
	// characters or not text, or an unknown search kind or bad limit.
	ErrBadQuery = search.ErrBadQuery
)
