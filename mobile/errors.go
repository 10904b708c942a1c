package mobile

import (
	"context"
	"errors"
	"net"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core"
)

// Error codes. Every error a Node method returns carries one of them; get
// it with ErrorCode and switch on it. The numbers are stable: a code keeps
// its number in every later version, and new causes get new numbers.
// ErrorCodeName gives each a stable name too (the daemon's HTTP API uses the
// same names where it has the same cause).
const (
	CodeOK             = 0  // no error (ErrorCode of null)
	CodeInternal       = 1  // an unexpected failure; the message says what
	CodeInvalidInput   = 2  // a missing (null or empty) or malformed argument
	CodeInvalidName    = 3  // a username that is not 3 to 32 of a-z, 0-9 and _
	CodeInvalidPost    = 4  // post or reply text empty, too long or with forbidden characters
	CodeWrongPassword  = 5  // the password does not open the account (or the key file)
	CodeNoAccount      = 6  // no account with this name on this device
	CodeAccountExists  = 7  // an account with this name is already on this device
	CodeUnknownName    = 8  // nobody in the network has claimed this name
	CodeNameTaken      = 9  // the name is claimed by someone else
	CodeNameConflict   = 10 // several keys claim the name and nothing decides between them
	CodeNotLoggedIn    = 11 // the call needs a logged-in account
	CodeLoggedIn       = 12 // an account is logged in already: log out first
	CodeRestoring      = 13 // the restored account's log is still being fetched
	CodeBadSecret      = 14 // not a valid recovery phrase or key file
	CodeNoPost         = 15 // no post with this ID (or the ID prefix is ambiguous)
	CodeNotYours       = 16 // the post is someone else's
	CodeNotFollowing   = 17 // unfollowing someone not followed
	CodeSelfFollow     = 18 // following oneself
	CodeNetwork        = 19 // the network did not answer in time
	CodeNoSpace        = 20 // the disk is full; nothing is lost, writes work again once space is freed
	CodeDataDirInUse   = 21 // another node has this data directory open
	CodeNotStarted     = 22 // the node is not started: call Start first
	CodeStarted        = 23 // the node is started already
	CodeClosed         = 24 // the node is closed
	CodeInvalidProfile = 25 // a profile field too long, blank or with forbidden characters, or a link that is not http(s)
	CodeSelfMute       = 26 // muting or blocking oneself
	CodeBlocked        = 27 // the posts of a user the account blocked: unblock them first
	CodeListFull       = 28 // a mute, block or bookmark list is full: remove some first
	CodeNotLiked       = 29 // unliking a post not liked
	CodeBadQuery       = 30 // a search query empty, over 100 characters or not text, or a bad kind or limit

	CodeNoConversation   = 31 // no conversation with this ID, ID prefix or group name, and no user with this name
	CodeAmbiguous        = 32 // a group name or ID prefix that matches several conversations: give more of the ID
	CodeNotMember        = 33 // the account is not (or no longer) a member of the group, or the name is not a member
	CodeNotAdmin         = 34 // the change needs an admin of the group
	CodeInviteInvalid    = 35 // no invitation to accept, or it expired or was used
	CodeInvalidMessage   = 36 // message text empty, too long or with forbidden characters
	CodeNoPrekey         = 37 // the user's encryption key cannot be fetched now: their device and the relays do not answer
	CodeSelfMessage      = 38 // a direct message to oneself
	CodeInvalidGroupName = 39 // a group name that is empty, longer than 64 characters, on several lines, or with forbidden characters
	CodeLastAdmin        = 40 // the change would leave a group without an admin
	CodeNotInDM          = 41 // leaving, inviting to, removing from or changing roles in a direct conversation

	CodeInvalidMedia  = 42 // media refused: a type not allowed or not what the bytes are, a bad thumbnail, alt text, root or album slug, too many images
	CodeMediaTooLarge = 43 // a file over MaxMediaSize (64 MiB)
	CodeNoMedia       = 44 // media this device does not hold and no peer that has it answered
	CodeNoAlbum       = 45 // no album with this slug (or this device does not mirror it)
)

// codeNames are the stable names of the codes, by number.
var codeNames = [...]string{
	CodeOK:            "ok",
	CodeInternal:      "internal",
	CodeInvalidInput:  "invalid_input",
	CodeInvalidName:   "invalid_name",
	CodeInvalidPost:   "invalid_post",
	CodeWrongPassword: "wrong_password",
	CodeNoAccount:     "no_account",
	CodeAccountExists: "account_exists",
	CodeUnknownName:   "unknown_name",
	CodeNameTaken:     "name_taken",
	CodeNameConflict:  "name_conflict",
	CodeNotLoggedIn:   "not_logged_in",
	CodeLoggedIn:      "logged_in",
	CodeRestoring:     "restoring",
	CodeBadSecret:     "bad_secret",
	CodeNoPost:        "no_post",
	CodeNotYours:      "not_yours",
	CodeNotFollowing:  "not_following",
	CodeSelfFollow:    "self_follow",
	CodeNetwork:       "network",
	CodeNoSpace:       "no_space",
	CodeDataDirInUse:  "data_dir_in_use",
	CodeNotStarted:    "not_started",
	CodeStarted:       "started",
	CodeClosed:        "closed",

	CodeInvalidProfile: "invalid_profile",
	CodeSelfMute:       "self_mute",
	CodeBlocked:        "blocked",
	CodeListFull:       "list_full",
	CodeNotLiked:       "not_liked",
	CodeBadQuery:       "bad_query",

	CodeNoConversation:   "no_conversation",
	CodeAmbiguous:        "ambiguous",
	CodeNotMember:        "not_member",
	CodeNotAdmin:         "not_admin",
	CodeInviteInvalid:    "invite_invalid",
	CodeInvalidMessage:   "invalid_message",
	CodeNoPrekey:         "no_prekey",
	CodeSelfMessage:      "self_message",
	CodeInvalidGroupName: "invalid_group_name",
	CodeLastAdmin:        "last_admin",
	CodeNotInDM:          "not_in_dm",

	CodeInvalidMedia:  "invalid_media",
	CodeMediaTooLarge: "media_too_large",
	CodeNoMedia:       "no_media",
	CodeNoAlbum:       "no_album",
}

// coreCodes maps core's errors to codes. Every exported error of core is
// here (TestCoreErrorsHaveCodes checks).
var coreCodes = []struct {
	err  error
	code int
}{
	{core.ErrClosed, CodeClosed},
	{core.ErrOffline, CodeNetwork},
	{core.ErrNotLoggedIn, CodeNotLoggedIn},
	{core.ErrLoggedIn, CodeLoggedIn},
	{core.ErrWrongPassword, CodeWrongPassword},
	{core.ErrNoAccount, CodeNoAccount},
	{core.ErrAccountExists, CodeAccountExists},
	{core.ErrNameTaken, CodeNameTaken},
	{core.ErrNameConflict, CodeNameConflict},
	{core.ErrUnknownName, CodeUnknownName},
	{core.ErrInvalidName, CodeInvalidName},
	{core.ErrInvalidPost, CodeInvalidPost},
	{core.ErrNotFollowing, CodeNotFollowing},
	{core.ErrSelfFollow, CodeSelfFollow},
	{core.ErrBadCursor, CodeInvalidInput},
	{core.ErrBadSecret, CodeBadSecret},
	{core.ErrNoPost, CodeNoPost},
	{core.ErrNotYours, CodeNotYours},
	{core.ErrNotLiked, CodeNotLiked},
	{core.ErrRestoring, CodeRestoring},
	{core.ErrNoSpace, CodeNoSpace},
	{core.ErrDataDirInUse, CodeDataDirInUse},
	{core.ErrInvalidRequestID, CodeInvalidInput},
	{core.ErrRequestIDReused, CodeInvalidInput},
	{core.ErrInvalidProfile, CodeInvalidProfile},
	{core.ErrSelfMute, CodeSelfMute},
	{core.ErrBlocked, CodeBlocked},
	{core.ErrListFull, CodeListFull},
	{core.ErrBadQuery, CodeBadQuery},
	{core.ErrNoConversation, CodeNoConversation},
	{core.ErrAmbiguous, CodeAmbiguous},
	{core.ErrNotMember, CodeNotMember},
	{core.ErrNotAdmin, CodeNotAdmin},
	{core.ErrInviteInvalid, CodeInviteInvalid},
	{core.ErrInvalidMessage, CodeInvalidMessage},
	{core.ErrNoPrekey, CodeNoPrekey},
	{core.ErrSelfMessage, CodeSelfMessage},
	{core.ErrInvalidGroupName, CodeInvalidGroupName},
	{core.ErrLastAdmin, CodeLastAdmin},
	{core.ErrNotInDM, CodeNotInDM},
	{core.ErrInvalidMedia, CodeInvalidMedia},
	{core.ErrMediaTooLarge, CodeMediaTooLarge},
	{core.ErrNoMedia, CodeNoMedia},
	{core.ErrNoAlbum, CodeNoAlbum},
}

// ErrorCode returns the code of an error a Node method threw (Java,
// Kotlin) or returned (Swift's NSError): one of the Code constants. It is
// CodeOK for null, and CodeInternal for an error that did not come from
// this package.
//
//	try { node.login(name, pw) } catch (e: Exception) {
//	    when (Mobile.errorCode(e)) {
//	        Mobile.CodeWrongPassword -> showPasswordError()
//	        Mobile.CodeNoAccount -> offerRegister()
//	        else -> showError(e.message)
//	    }
//	}
func ErrorCode(err error) int {
	if err == nil {
		return CodeOK
	}
	var e *codedError
	if errors.As(err, &e) {
		return e.code
	}
	return CodeInternal
}

// ErrorCodeName returns the stable name of a code ("wrong_password"), for
// logs and analytics; "" for a number that is not a code.
func ErrorCodeName(code int) string {
	if code < 0 || code >= len(codeNames) {
		return ""
	}
	return codeNames[code]
}

// codedError is every error this package returns: a code and a message
// for people.
type codedError struct {
	code int
	msg  string
}

func (e *codedError) Error() string { return e.msg }

// maxMessage bounds an error message, in bytes.
const maxMessage = 300

// newError returns an error with code and message msg, cut to maxMessage.
func newError(code int, msg string) error {
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return &codedError{code: code, msg: msg}
}

// goPrefix is a Go package prefix at the start of a message or after
// ": ", such as "core: ": meaningless to people, so messages lose it. A
// prefix inside a path ("/data/core: …" is not one) stays.
var goPrefix = regexp.MustCompile(`(^|: )(core|store|p2p|names|entry|keystore|syncproto|syncserve|ratelimit|moderation|bookmarks|chat|chatlog|chatcrypt|chatnet|blob|blobnet|blobstore|medialib): `)

// coded gives err its code and a readable message; nil stays nil.
func coded(err error) error {
	if err == nil {
		return nil
	}
	var e *codedError
	if errors.As(err, &e) {
		return e
	}
	code := CodeInternal
	for _, c := range coreCodes {
		if errors.Is(err, c.err) {
			code = c.code
			break
		}
	}
	msg := err.Error()
	for range 8 { // "core: store: …" loses both
		m := goPrefix.ReplaceAllString(msg, "$1")
		if m == msg {
			break
		}
		msg = m
	}
	if code == CodeInternal {
		var ne net.Error
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			code, msg = CodeNetwork, "the network did not answer in time: "+msg
		case errors.As(err, &ne):
			code = CodeNetwork
		}
	}
	return newError(code, msg)
}

// Errors of this package's own checks.
var (
	errClosed     = newError(CodeClosed, "the node is closed")
	errNotStarted = newError(CodeNotStarted, "the node is not started: call start first")
	errStarted    = newError(CodeStarted, "the node is started already")
)

// quote quotes an input for a message; newError cuts a long one.
func quote(s string) string { return strconv.Quote(s) }

// required returns a CodeInvalidInput error if s, the argument what, is
// empty: Java's null and Swift's nil arrive as "", and neither is a value.
func required(what, s string) error {
	if s == "" {
		return newError(CodeInvalidInput, what+" is missing (null or empty)")
	}
	return nil
}
