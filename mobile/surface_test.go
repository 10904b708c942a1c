package mobile

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core"
)

// The mobile API carries all of core's: every Node method, every field of
// the types it returns, every event and every error. These tests fail when
// core gains one that this package does not carry, so that a capability
// lands here in the same change.

// nodeMethods maps core.Node's methods to the mobile.Node methods that
// carry them, where the names differ.
var nodeMethods = map[string]string{
	"Watch":       "SetListener",
	"Connections": "Peers",
	"PostMedia":   "PostWithMedia",
	"ReplyMedia":  "ReplyWithMedia",
	"OpenMedia":   "MediaBytes",
}

// mobileOnly are mobile.Node methods with no core method of their name.
var mobileOnly = []string{"Start", "Accounts", "Request", "FeedJSON", "TimelineJSON", "ThreadJSON", "MessagesJSON",
	"RemoveAvatar", "RemoveBanner"}

func TestSurfaceMethods(t *testing.T) {
	coreT, mobT := reflect.TypeFor[*core.Node](), reflect.TypeFor[*Node]()
	carried := map[string]bool{}
	for m := range coreT.Methods() {
		name := m.Name
		if to, ok := nodeMethods[name]; ok {
			name = to
		}
		if _, ok := mobT.MethodByName(name); !ok {
			t.Errorf("core.Node.%s has no mobile.Node.%s", m.Name, name)
		}
		carried[name] = true
	}
	for m := range mobT.Methods() {
		if !carried[m.Name] && !slices.Contains(mobileOnly, m.Name) {
			t.Errorf("mobile.Node.%s carries no core.Node method: add it to nodeMethods or mobileOnly", m.Name)
		}
	}
}

// fieldMaps says, for each core type an app receives, the mobile type that
// carries it and where its fields went: a renamed field, or several
// separated by commas, or "-" with the reason it is not carried.
var fieldMaps = []struct {
	core, mobile any
	fields       map[string]string
}{
	{core.Post{}, Post{}, map[string]string{
		"Time":     "TimeMillis",
		"ReplyTo":  "ReplyToID,ReplyToAuthor,ReplyToAuthorKey",
		"RepostOf": "RepostOfID,RepostOf",
	}},
	{core.User{}, User{}, map[string]string{"Since": "SinceMillis"}},
	{core.LogState{}, LogState{}, nil},
	{core.Profile{}, Profile{}, map[string]string{
		"User":     "Name,Key,DisplayName,Bio,Link,Avatar,Banner",
		"Updated":  "UpdatedMillis",
		"LastSeen": "LastSeenMillis",
	}},
	{core.Notification{}, Notification{}, map[string]string{
		"From": "FromName,FromKey,FromDisplayName",
		"Time": "TimeMillis",
		"Post": "Post,PostID,PostText",
	}},
	{core.Status{}, Status{}, map[string]string{
		"Goroutines": "- a measurement figure of the daemon (cli/internal/powerbench), of no use to an app",
	}},
	{core.Connection{}, Connection{}, map[string]string{"Opened": "OpenedMillis"}},
	{core.Holder{}, Holder{}, nil},
	{core.Thread{}, PostThread{}, map[string]string{
		"Ancestors": "- PostThread.Get, Role ancestor",
		"Post":      "- PostThread.Get, Role post",
		"Replies":   "- PostThread.Get, Role reply",
	}},
	{core.ThreadReply{}, ThreadItem{}, map[string]string{"Replies": "Depth,ParentID"}},
	{core.SearchResults{}, SearchResults{}, nil},
	{core.Page{}, FeedPage{}, map[string]string{
		"Posts": "- FeedPage.Len and Get",
		"Next":  "- FeedPage.NextCursor",
	}},
	{core.Conversation{}, Conversation{}, map[string]string{"Updated": "UpdatedMillis"}},
	{core.Message{}, Message{}, map[string]string{
		"Conversation": "ConversationID",
		"Time":         "TimeMillis",
		"ReplyTo":      "ReplyToID",
	}},
	{core.MessagePage{}, MessagePage{}, map[string]string{
		"Messages": "- MessagePage.Len and Get",
		"Next":     "- MessagePage.NextCursor",
	}},
	{core.Member{}, Member{}, nil},
	{core.Media{}, Media{}, nil},
	{core.MediaProgress{}, MediaProgress{}, nil},
	{core.MediaUsage{}, MediaUsage{}, nil},
	{core.Album{}, Album{}, map[string]string{"Updated": "UpdatedMillis"}},
	{core.GroupResult{}, GroupResult{}, nil},
}

func TestSurfaceFields(t *testing.T) {
	for _, fm := range fieldMaps {
		ct, mt := reflect.TypeOf(fm.core), reflect.TypeOf(fm.mobile)
		for f := range ct.Fields() {
			to, ok := fm.fields[f.Name]
			if !ok {
				to = f.Name
			}
			if strings.HasPrefix(to, "-") {
				continue
			}
			for name := range strings.SplitSeq(to, ",") {
				if _, ok := mt.FieldByName(name); !ok {
					t.Errorf("%s.%s has no %s.%s", ct, f.Name, mt, name)
				}
			}
		}
	}
}

// eventMethods maps core's event kinds to the Listener methods that carry
// them.
var eventMethods = map[string]string{
	"EventPost":         "OnPost",
	"EventFollower":     "OnFollower",
	"EventUnfollow":     "OnUnfollow",
	"EventConnectivity": "OnConnectivity",
	"EventNotification": "OnNotification",
	"EventDelete":       "OnDelete",
	"EventMessage":      "OnMessage",
	"EventMembers":      "OnMembers",
	"EventInvite":       "OnInvite",
}

func TestSurfaceEvents(t *testing.T) {
	lt := reflect.TypeFor[Listener]()
	kinds := coreNames(t, []string{"../core/types.go", "../core/chat_types.go"}, token.CONST, func(spec *ast.ValueSpec) bool {
		id, ok := spec.Type.(*ast.Ident)
		return ok && id.Name == "EventKind"
	})
	if len(kinds) == 0 {
		t.Fatal("no EventKind constants found in core/types.go and core/chat_types.go")
	}
	for _, k := range kinds {
		m, ok := eventMethods[k]
		if !ok {
			t.Errorf("core.%s has no Listener method: add one, and to eventMethods and dispatch", k)
			continue
		}
		if _, ok := lt.MethodByName(m); !ok {
			t.Errorf("core.%s: Listener has no %s", k, m)
		}
	}
}

// TestCoreErrorsHaveCodes: every error core exports has a code here.
func TestCoreErrorsHaveCodes(t *testing.T) {
	errs := coreNames(t, []string{"../core/errors.go"}, token.VAR, func(*ast.ValueSpec) bool { return true })
	if len(errs) == 0 {
		t.Fatal("no errors found in core/errors.go")
	}
	// core/chat_types.go declares the messaging errors among other
	// variables, core/media.go and core/albums.go the media errors: every
	// Err one is an error.
	errs = append(errs, coreNames(t, []string{"../core/chat_types.go", "../core/media.go", "../core/albums.go"}, token.VAR, func(vs *ast.ValueSpec) bool {
		return slices.ContainsFunc(vs.Names, func(id *ast.Ident) bool { return strings.HasPrefix(id.Name, "Err") })
	})...)
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	mapped := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "core" {
				mapped[sel.Sel.Name] = true
			}
		}
		return true
	})
	for _, e := range errs {
		if !mapped[e] {
			t.Errorf("core.%s has no code: add it to coreCodes", e)
		}
	}
}

// coreNames returns the exported names declared by tok in the Go files
// paths whose spec passes keep.
func coreNames(t *testing.T, paths []string, tok token.Token, keep func(*ast.ValueSpec) bool) []string {
	t.Helper()
	var out []string
	for _, path := range paths {
		out = append(out, fileNames(t, path, tok, keep)...)
	}
	return out
}

// fileNames is coreNames of one file.
func fileNames(t *testing.T, path string, tok token.Token, keep func(*ast.ValueSpec) bool) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != tok {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if !keep(vs) {
				continue
			}
			for _, id := range vs.Names {
				if id.IsExported() {
					out = append(out, id.Name)
				}
			}
		}
	}
	return out
}
