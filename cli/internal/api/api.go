// Package api is the local API between the skein daemon and the other skein
// commands: HTTP with JSON bodies on a unix socket in the home directory.
//
// Changes are POSTs with a JSON body, reads are GETs with query parameters:
//
//	POST /v1/register     {"name", "password"}            -> core.User
//	POST /v1/login        {"name", "password"}            -> core.User
//	POST /v1/logout                                       -> {}
//	POST /v1/post         {"text"}                        -> core.Post
//	POST /v1/follow       {"name"}                        -> core.User
//	POST /v1/unfollow     {"name"}                        -> {}
//	POST /v1/reply        {"id", "text"}                  -> core.Post
//	POST /v1/repost       {"id"}                          -> core.Post
//	POST /v1/delete       {"id"}                          -> {}
//	POST /v1/like         {"id"}                          -> core.Post
//	POST /v1/unlike       {"id"}                          -> {}
//	POST /v1/export       {"password", "key_file"}        -> Secret
//	POST /v1/restore      {"name", "phrase", "password"}  -> core.User
//	POST /v1/restore      {"key_file", "password"}        -> core.User
//	POST /v1/power        {"mode"}                        -> Power
//	POST /v1/network      {"type"}                        -> Power
//	POST /v1/profile      {"display_name", "bio", "link"} -> core.User
//	GET  /v1/feed?limit=&cursor=                          -> core.Page
//	GET  /v1/timeline?name=&limit=&cursor=                -> core.Page
//	GET  /v1/following                                    -> Users
//	GET  /v1/followers                                    -> Users
//	GET  /v1/notifications?limit=&mark_read=1             -> Notifications
//	GET  /v1/whois?name=                                  -> core.Profile
//	GET  /v1/thread?id=                                   -> core.Thread
//	GET  /v1/status                                       -> core.Status
//	GET  /v1/peers                                        -> Connections
//	GET  /v1/holders                                      -> Holders
//	GET  /v1/events                                       -> core.Event, one JSON object a line
//	GET  /v1/search?q=&kind=&limit=                       -> core.SearchResults
//	GET  /v1/ui                                           -> UI
//	POST /v1/ui                                           -> UI
//
// Messaging (see Chatter; conv and group are a group ID, a unique ID
// prefix of 8 or more hex digits, a group name the account is in, or a
// username, for the DM with that user):
//
//	GET  /v1/conversations                                -> Conversations
//	GET  /v1/conversation?ref=                            -> core.Conversation
//	GET  /v1/messages?conv=&cursor=&limit=                -> core.MessagePage
//	POST /v1/send           {"conv", "text"}              -> core.Message
//	POST /v1/dm             {"name", "text"}              -> core.Message
//	POST /v1/read           {"conv"}                      -> {}
//	POST /v1/groups/create  {"name", "public", "history_joined"} -> core.Conversation
//	POST /v1/groups/invite  {"group", "name", "admin", "expires"} -> {}
//	POST /v1/groups/join    {"group"}                     -> core.Conversation
//	POST /v1/groups/leave   {"group"}                     -> {}
//	POST /v1/groups/remove  {"group", "name"}             -> {}
//	POST /v1/groups/role    {"group", "name", "role"}     -> {}
//	GET  /v1/groups/members?group=                        -> Members
//	GET  /v1/groups/search?q=&limit=                      -> Groups
//	GET  /v1/messages/search?q=&limit=                    -> Messages
//
// A page of messages is newest first; its limit is 1 to MaxMessages (the
// node's default, 50, when absent), the searches' 1 to MaxChatResults.
// An invitation's "expires" is a Go duration from 1m to 720h ("" for 7
// days); a role is "admin" or "member". Messages are not deduplicated by
// request ID: the Client does not resend them.
//
// Media (see Librarian; root is a blob's BLAKE3 root, 64 hex digits; name
// is a username, "" for the logged-in account's own):
//
//	POST /v1/media/import   file bytes, header Skein-Media   -> core.Media
//	POST /v1/profile/avatar {"media"}                      -> core.User
//	POST /v1/profile/banner {"media"}                      -> core.User
//	POST /v1/media/fetch    {"root"}                       -> ProgressLine, one a line
//	GET  /v1/media?root=                                   -> the bytes
//	GET  /v1/media/usage                                   -> core.MediaUsage
//	POST /v1/media/prune                                   -> Freed
//	POST /v1/albums/create  {"slug", "title"}              -> core.Album
//	POST /v1/albums/add     {"slug", "media"}              -> core.Album
//	POST /v1/albums/remove  {"slug", "roots"}              -> core.Album
//	POST /v1/albums/drop    {"slug"}                       -> {}
//	GET  /v1/albums?name=                                  -> Albums
//	GET  /v1/album?name=&slug=                             -> core.Album
//	POST /v1/albums/mirror  {"name", "slug", "dir"}        -> ProgressLine, one a line
//	POST /v1/albums/unmirror {"name", "slug"}              -> {}
//	GET  /v1/mirrors                                       -> Albums
//
// /v1/post and /v1/reply take "media", a list of up to core.MaxMediaPerPost
// core.Media that /v1/media/import answered; text may then be "". An
// avatar's or banner's "media" is null to remove it. The body of
// /v1/media/import is the file itself, at most core.MaxMediaSize bytes
// (not MaxBody); its header Skein-Media (MediaHeader) holds a
// MediaHeaderInput in JSON, at most MaxMediaHeader bytes. /v1/media/fetch
// and /v1/albums/mirror stream progress lines ({"progress": …}), then a
// last line with "media" or "album", or "error" and "code"; an error
// before the first progress line is answered as any other. Neither has a
// RequestTimeout: they end when the client goes away. GET /v1/media
// answers the bytes as application/octet-stream with their
// Content-Length, fetching them first from whoever holds them; 404
// no_media when nobody could be reached.
//
// id is a post's ID or a unique prefix of it, at least 8 hex digits.
//
// Post, reply, repost, delete, like, unlike, follow, unfollow and profile take a request ID in
// the header Idempotency-Key (as in the IETF httpapi draft of that name,
// quoted or not): 1 to 64 ASCII letters, digits, '-', '_', '.' and ':',
// new for each request. A request sent again with the same ID, because its
// answer was lost, answers what the first did without doing it twice, even
// after the daemon restarted, for as long as its entry is among the
// account's 1,000 newest (core.WithRequestID); the same ID with another
// request answers 422 request_id_reused. The Client sends one when the
// context carries it (core.WithRequestID) and then retries on a broken
// connection.
//
// Request bodies and query parameters must be valid UTF-8, and bodies may
// not escape a lone UTF-16 surrogate (\ud800): encoding/json would turn
// either into U+FFFD. They are refused with 400 bad_request. Export
// answers the recovery phrase, or with "key_file": true the key file (base64
// in JSON); restore takes one of the two. Secrets travel only over the
// socket, which only its owner may open, and are never logged.
//
// mode is a power mode by name: "foreground", "background" or "off"; type
// is a network type: "wifi", "cellular" or "none". Both answer the power
// mode set and the network type, by name, as /v1/status also shows them
// ("power" and "network"); with network "none" the node is offline
// whatever its mode.
//
// /v1/ui gives the addresses of the daemon's web UI: GET while it runs
// (404 ui_off when it does not), POST starts it first if needed. The login
// address carries the key that signs a browser in, so it travels only
// over the socket.
//
// Search's kind is all (the default), users, posts or tag, and its limit
// 1 to 100 (20 when absent); a bad query answers 400 bad_query. Otherwise
// limit is 1 to MaxLimit, DefaultLimit when absent. Request bodies are at
// most MaxBody bytes. A failed request answers with a 4xx or 5xx status and
// an Error document whose Code names the cause (see the Code constants);
// the Client turns it back into an *Error that matches core's sentinel
// errors with errors.Is.
package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/skein-p2p/skein/core"
)

// Node is the part of *core.Node that the Server exposes. It exists so the
// HTTP layer can be tested against a fake; the daemon passes a *core.Node.
type Node interface {
	Register(ctx context.Context, name, password string) (core.User, error)
	Login(ctx context.Context, name, password string) (core.User, error)
	Logout(ctx context.Context) error
	Post(ctx context.Context, text string) (core.Post, error)
	Follow(ctx context.Context, name string) (core.User, error)
	Unfollow(ctx context.Context, name string) error
	Reply(ctx context.Context, postID, text string) (core.Post, error)
	Repost(ctx context.Context, postID string) (core.Post, error)
	Delete(ctx context.Context, postID string) error
	Like(ctx context.Context, postID string) (core.Post, error)
	Unlike(ctx context.Context, postID string) error
	Thread(ctx context.Context, postID string) (core.Thread, error)
	Feed(ctx context.Context, cursor string, limit int) (core.Page, error)
	Timeline(ctx context.Context, name, cursor string, limit int) (core.Page, error)
	Following(ctx context.Context) ([]core.User, error)
	Followers(ctx context.Context) ([]core.User, error)
	Notifications(ctx context.Context, limit int, markRead bool) ([]core.Notification, error)
	Whois(ctx context.Context, name string) (core.Profile, error)
	Status(ctx context.Context) (core.Status, error)
	Connections() []core.Connection
	Holders(ctx context.Context) ([]core.Holder, error)
	ExportPhrase(ctx context.Context, password string) (string, error)
	ExportKeyFile(ctx context.Context, password string) ([]byte, error)
	RestorePhrase(ctx context.Context, name, phrase, password string) (core.User, error)
	RestoreKeyFile(ctx context.Context, keyFile []byte, password string) (core.User, error)
	Watch(ctx context.Context, fn func(core.Event)) error
	SetPowerMode(m core.PowerMode) error
	SetNetworkType(t core.NetworkType) error
	SetProfile(ctx context.Context, displayName, bio, link string) (core.User, error)
	Moderator
	Search(ctx context.Context, query string, kind core.SearchKind, limit int) (core.SearchResults, error)
	Chatter
	Librarian
}

var _ Node = (*core.Node)(nil)

// Limits of the API.
const (
	DefaultLimit = 20       // page size when a request has no limit
	MaxLimit     = 500      // largest page size
	MaxBody      = 64 << 10 // largest request body, in bytes
)

// Credentials is the body of /v1/register and /v1/login.
type Credentials struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// PostRequest is the body of /v1/post.
type PostRequest struct {
	Text  string       `json:"text"`
	Media []core.Media `json:"media,omitempty"` // images from /v1/media/import
}

// NameRequest is the body of /v1/follow and /v1/unfollow.
type NameRequest struct {
	Name string `json:"name"`
}

// ProfileRequest is the body of /v1/profile: the whole profile, each
// field "" for not set.
type ProfileRequest struct {
	DisplayName string `json:"display_name"`
	Bio         string `json:"bio"`
	Link        string `json:"link"`
}

// PostIDRequest is the body of /v1/repost and /v1/delete.
type PostIDRequest struct {
	ID string `json:"id"`
}

// ReplyRequest is the body of /v1/reply.
type ReplyRequest struct {
	ID    string       `json:"id"`
	Text  string       `json:"text"`
	Media []core.Media `json:"media,omitempty"` // images from /v1/media/import
}

// ExportRequest is the body of /v1/export. The password is the logged-in
// account's; with KeyFile set the answer is the key file, else the
// recovery phrase.
type ExportRequest struct {
	Password string `json:"password"`
	KeyFile  bool   `json:"key_file,omitempty"`
}

// Secret is the answer of /v1/export: one of its fields is set.
type Secret struct {
	Phrase  string `json:"phrase,omitempty"`
	KeyFile []byte `json:"key_file,omitempty"`
}

// RestoreRequest is the body of /v1/restore: Name and Phrase to restore
// from a recovery phrase, with Password the account's new password here;
// or KeyFile, with Password the one the file was sealed with.
type RestoreRequest struct {
	Name     string `json:"name,omitempty"`
	Phrase   string `json:"phrase,omitempty"`
	KeyFile  []byte `json:"key_file,omitempty"`
	Password string `json:"password"`
}

// PowerRequest is the body of /v1/power: a power mode's name, as
// core.ParsePowerMode reads it.
type PowerRequest struct {
	Mode string `json:"mode"`
}

// NetworkRequest is the body of /v1/network: a network type's name, as
// core.ParseNetworkType reads it.
type NetworkRequest struct {
	Type string `json:"type"`
}

// Power is the answer of /v1/power and /v1/network: the power mode set and
// the network type, which travel by name.
type Power struct {
	Power   core.PowerMode   `json:"power"`
	Network core.NetworkType `json:"network"`
}

// Users is the answer of /v1/following and /v1/followers.
type Users struct {
	Users []core.User `json:"users"`
}

// Holders is the answer of /v1/holders: the devices that hold a copy of
// the logged-in account's log.
type Holders struct {
	Holders []core.Holder `json:"holders"`
}

// Connections is the answer of /v1/peers: the node's open connections,
// direct or relayed.
type Connections struct {
	Connections []core.Connection `json:"connections"`
}

// Notifications is the answer of /v1/notifications.
type Notifications struct {
	Notifications []core.Notification `json:"notifications"`
}

// UI is the answer of /v1/ui: the web UI's address, and the address that
// signs a browser in (the key exchange page, with the key in its
// fragment).
type UI struct {
	URL      string `json:"url"`
	LoginURL string `json:"login_url"`
}

// UIFunc gives the web UI's addresses, starting it first if start is set;
// without start, a UI that is not running is ErrUIOff. The daemon passes
// one to Server.SetUI, so this package does not depend on the UI's.
type UIFunc func(ctx context.Context, start bool) (UI, error)

// Empty is the answer of requests that return nothing but success.
type Empty struct{}

// Error is the document of a failed request, and the error the Client
// returns for it. Its message is one line meant for the user.
type Error struct {
	Message string `json:"error"`
	Code    string `json:"code"`
	Status  int    `json:"-"` // HTTP status, set by the Client
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Is reports whether the error's code is the one of target, so that
// errors.Is(err, core.ErrWrongPassword) holds for an error the daemon
// reported as wrong_password.
func (e *Error) Is(target error) bool {
	for _, c := range codes {
		if c.err == target {
			return c.code == e.Code
		}
	}
	return false
}

// Error codes. Those for core's sentinel errors are in codes.
const (
	CodeBadRequest       = "bad_request"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeTooLarge         = "too_large"
	CodeTimeout          = "timeout"
	CodeInternal         = "internal"
	CodeShutdown         = "shutting_down"
)

// codes maps core's sentinel errors, and ErrUIOff, to error codes and HTTP
// statuses.
var codes = []struct {
	err    error
	code   string
	status int
}{
	{core.ErrWrongPassword, "wrong_password", http.StatusUnauthorized},
	{core.ErrNotLoggedIn, "not_logged_in", http.StatusUnauthorized},
	{core.ErrLoggedIn, "logged_in", http.StatusConflict},
	{core.ErrNoAccount, "no_account", http.StatusNotFound},
	{core.ErrAccountExists, "account_exists", http.StatusConflict},
	{core.ErrNameTaken, "name_taken", http.StatusConflict},
	{core.ErrNameConflict, "name_conflict", http.StatusConflict},
	{core.ErrUnknownName, "unknown_name", http.StatusNotFound},
	{core.ErrInvalidName, "invalid_name", http.StatusBadRequest},
	{core.ErrInvalidPost, "invalid_post", http.StatusBadRequest},
	{core.ErrNotFollowing, "not_following", http.StatusConflict},
	{core.ErrSelfFollow, "self_follow", http.StatusBadRequest},
	{core.ErrBadCursor, "bad_cursor", http.StatusBadRequest},
	{core.ErrBadSecret, "bad_secret", http.StatusBadRequest},
	{core.ErrRestoring, "restoring", http.StatusConflict},
	{core.ErrNoPost, "no_post", http.StatusNotFound},
	{core.ErrNotYours, "not_yours", http.StatusForbidden},
	{core.ErrNotLiked, "not_liked", http.StatusConflict},
	{core.ErrClosed, "closed", http.StatusServiceUnavailable},
	{core.ErrOffline, "offline", http.StatusServiceUnavailable},
	{core.ErrDataDirInUse, "data_dir_in_use", http.StatusConflict},
	{core.ErrNoSpace, "no_space", http.StatusInsufficientStorage},
	{core.ErrInvalidRequestID, "invalid_request_id", http.StatusBadRequest},
	{core.ErrRequestIDReused, "request_id_reused", http.StatusUnprocessableEntity},
	{core.ErrInvalidProfile, "invalid_profile", http.StatusBadRequest},
	{core.ErrSelfMute, "self_mute", http.StatusBadRequest},
	{core.ErrBlocked, "blocked", http.StatusForbidden},
	{core.ErrListFull, "list_full", http.StatusConflict},
	{core.ErrBadQuery, "bad_query", http.StatusBadRequest},
	{core.ErrNoConversation, "no_conversation", http.StatusNotFound},
	{core.ErrAmbiguous, "ambiguous", http.StatusBadRequest},
	{core.ErrNotMember, "not_member", http.StatusForbidden},
	{core.ErrNotAdmin, "not_admin", http.StatusForbidden},
	{core.ErrInviteInvalid, "invite_invalid", http.StatusConflict},
	{core.ErrInvalidMessage, "invalid_message", http.StatusBadRequest},
	{core.ErrNoPrekey, "no_prekey", http.StatusServiceUnavailable},
	{core.ErrSelfMessage, "self_message", http.StatusBadRequest},
	{core.ErrInvalidGroupName, "invalid_group_name", http.StatusBadRequest},
	{core.ErrLastAdmin, "last_admin", http.StatusConflict},
	{core.ErrNotInDM, "not_in_dm", http.StatusBadRequest},
	{core.ErrMediaTooLarge, "media_too_large", http.StatusRequestEntityTooLarge},
	{core.ErrInvalidMedia, "invalid_media", http.StatusUnprocessableEntity},
	{core.ErrNoMedia, "no_media", http.StatusNotFound},
	{core.ErrNoAlbum, "no_album", http.StatusNotFound},
	{ErrUIOff, "ui_off", http.StatusNotFound},
}

// RequestIDHeader is the header that carries a request's ID.
const RequestIDHeader = "Idempotency-Key"

// ErrNoDaemon is returned by the Client when nothing listens on the socket.
var ErrNoDaemon = errors.New("api: no daemon is listening")

// ErrUIOff is the answer of GET /v1/ui when the daemon serves no web UI
// (code ui_off): POST /v1/ui, which skein ui sends, starts it.
var ErrUIOff = errors.New("the web UI is not running: start it with skein ui")

// BrokenError is returned by the Client when the connection to the daemon
// broke after a request was sent and before its answer arrived, so that
// whether the daemon did it is unknown. The Client retries a request that
// carries a request ID (core.WithRequestID) a few times, with backoff,
// while the daemon answers; a BrokenError is what is left. Sending the
// request again with the same RequestID is safe: it is done at most once.
type BrokenError struct {
	RequestID string // the request's ID, "" if it had none
	Err       error  // the last failure
}

// Error says that the answer was lost.
func (e *BrokenError) Error() string {
	return "api: the connection to the daemon broke before it answered: " + e.Err.Error()
}

// Unwrap returns the last failure.
func (e *BrokenError) Unwrap() error { return e.Err }

// CodeOf returns the code and HTTP status the server answers err with, for
// one of core's sentinel errors or an *Error; ok is false for any other
// error (the server answers those 500 internal).
func CodeOf(err error) (code string, status int, ok bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, statusOf(e), true
	}
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code, c.status, true
		}
	}
	return CodeInternal, http.StatusInternalServerError, false
}
