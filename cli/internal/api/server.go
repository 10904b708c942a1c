package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core"
)

// RequestTimeout bounds every request but /v1/events.
const RequestTimeout = 2 * time.Minute

// eventBuffer is how many events a slow /v1/events reader may fall behind
// before its stream is ended.
const eventBuffer = 256

// Server serves the API for one Node. It is safe for concurrent use.
type Server struct {
	node        Node
	log         *slog.Logger
	routes      map[string]route
	http        *http.Server
	streams     context.Context // canceled by Shutdown to end /v1/events streams
	stopStreams context.CancelFunc
	ui          UIFunc // nil: no web UI (SetUI)
	// streamed serves the routes without a handle other than /v1/events:
	// they read or write their bodies as streams, without MaxBody.
	streamed map[string]func(http.ResponseWriter, *http.Request)
}

type route struct {
	method string // or methods, as the Allow header lists them: "GET, POST"
	handle func(*http.Request) (any, error)
}

// NewServer returns a Server for node that logs to log (nil: discard).
func NewServer(node Node, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{node: node, log: log}
	s.streams, s.stopStreams = context.WithCancel(context.Background())
	s.routes = map[string]route{
		"/v1/register":      {http.MethodPost, s.register},
		"/v1/login":         {http.MethodPost, s.login},
		"/v1/logout":        {http.MethodPost, s.logout},
		"/v1/post":          {http.MethodPost, s.post},
		"/v1/follow":        {http.MethodPost, s.follow},
		"/v1/unfollow":      {http.MethodPost, s.unfollow},
		"/v1/reply":         {http.MethodPost, s.reply},
		"/v1/repost":        {http.MethodPost, s.repost},
		"/v1/delete":        {http.MethodPost, s.delete},
		"/v1/like":          {http.MethodPost, s.like},
		"/v1/unlike":        {http.MethodPost, s.unlike},
		"/v1/export":        {http.MethodPost, s.export},
		"/v1/restore":       {http.MethodPost, s.restore},
		"/v1/power":         {http.MethodPost, s.power},
		"/v1/network":       {http.MethodPost, s.network},
		"/v1/profile":       {http.MethodPost, s.profile},
		"/v1/feed":          {http.MethodGet, s.feed},
		"/v1/timeline":      {http.MethodGet, s.timeline},
		"/v1/following":     {http.MethodGet, s.following},
		"/v1/followers":     {http.MethodGet, s.followers},
		"/v1/notifications": {http.MethodGet, s.notifications},
		"/v1/whois":         {http.MethodGet, s.whois},
		"/v1/thread":        {http.MethodGet, s.thread},
		"/v1/status":        {http.MethodGet, s.status},
		"/v1/peers":         {http.MethodGet, s.peers},
		"/v1/holders":       {http.MethodGet, s.holders},
		"/v1/search":        {http.MethodGet, s.search},
		"/v1/events":        {http.MethodGet, nil}, // streams; see events
		"/v1/ui":            {"GET, POST", s.uiInfo},
	}
	s.addModerationRoutes()
	s.addChatRoutes()
	s.addMediaRoutes()
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s
}

// SetUI sets what /v1/ui answers with: the daemon's web UI. Without it,
// GET and POST /v1/ui answer 404 ui_off. Call it before Serve.
func (s *Server) SetUI(f UIFunc) { s.ui = f }

// Serve answers requests on l until Shutdown. It returns nil after Shutdown.
func (s *Server) Serve(l net.Listener) error {
	err := s.http.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown ends the event streams, stops accepting requests and waits, until
// ctx is done, for the requests in progress to finish.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopStreams()
	return s.http.Shutdown(ctx)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		s.log.Debug("api request", "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "duration", time.Since(start))
	}()
	rt, ok := s.routes[r.URL.Path]
	switch {
	case !ok:
		writeError(sw, &Error{Code: CodeNotFound, Message: fmt.Sprintf("no API endpoint %s", r.URL.Path)}, http.StatusNotFound)
		return
	case !slices.Contains(strings.Split(rt.method, ", "), r.Method):
		sw.Header().Set("Allow", rt.method)
		writeError(sw, &Error{Code: CodeMethodNotAllowed, Message: fmt.Sprintf("%s needs method %s", r.URL.Path, strings.ReplaceAll(rt.method, ", ", " or "))}, http.StatusMethodNotAllowed)
		return
	case rt.handle == nil && s.streamed[r.URL.Path] != nil:
		s.streamed[r.URL.Path](sw, r)
		return
	case rt.handle == nil:
		s.events(sw, r)
		return
	}
	if err := checkQuery(r); err != nil {
		writeError(sw, err, http.StatusBadRequest)
		return
	}
	r.Body = http.MaxBytesReader(sw, r.Body, MaxBody)
	ctx, cancel := context.WithTimeout(r.Context(), RequestTimeout)
	defer cancel()
	if vs := r.Header.Values(RequestIDHeader); len(vs) > 0 {
		id, err := requestID(vs)
		if err != nil {
			e, status := s.toError(r, err)
			writeError(sw, e, status)
			return
		}
		ctx = core.WithRequestID(ctx, id)
	}
	v, err := rt.handle(r.WithContext(ctx))
	if err != nil {
		e, status := s.toError(r, err)
		writeError(sw, e, status)
		return
	}
	writeJSON(sw, http.StatusOK, v)
}

func (s *Server) register(r *http.Request) (any, error) {
	var c Credentials
	if err := decode(r, &c); err != nil {
		return nil, err
	}
	return s.node.Register(r.Context(), c.Name, c.Password)
}

func (s *Server) login(r *http.Request) (any, error) {
	var c Credentials
	if err := decode(r, &c); err != nil {
		return nil, err
	}
	return s.node.Login(r.Context(), c.Name, c.Password)
}

func (s *Server) logout(r *http.Request) (any, error) {
	return Empty{}, s.node.Logout(r.Context())
}

func (s *Server) post(r *http.Request) (any, error) {
	var p PostRequest
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if len(p.Media) > 0 {
		return s.node.PostMedia(r.Context(), p.Text, p.Media)
	}
	return s.node.Post(r.Context(), p.Text)
}

func (s *Server) follow(r *http.Request) (any, error) {
	var n NameRequest
	if err := decode(r, &n); err != nil {
		return nil, err
	}
	return s.node.Follow(r.Context(), n.Name)
}

func (s *Server) unfollow(r *http.Request) (any, error) {
	var n NameRequest
	if err := decode(r, &n); err != nil {
		return nil, err
	}
	return Empty{}, s.node.Unfollow(r.Context(), n.Name)
}

func (s *Server) reply(r *http.Request) (any, error) {
	var p ReplyRequest
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if len(p.Media) > 0 {
		return s.node.ReplyMedia(r.Context(), p.ID, p.Text, p.Media)
	}
	return s.node.Reply(r.Context(), p.ID, p.Text)
}

func (s *Server) repost(r *http.Request) (any, error) {
	var p PostIDRequest
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	return s.node.Repost(r.Context(), p.ID)
}

func (s *Server) delete(r *http.Request) (any, error) {
	var p PostIDRequest
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	return Empty{}, s.node.Delete(r.Context(), p.ID)
}

func (s *Server) like(r *http.Request) (any, error) {
	var p PostIDRequest
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	return s.node.Like(r.Context(), p.ID)
}

func (s *Server) unlike(r *http.Request) (any, error) {
	var p PostIDRequest
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	return Empty{}, s.node.Unlike(r.Context(), p.ID)
}

func (s *Server) export(r *http.Request) (any, error) {
	var x ExportRequest
	if err := decode(r, &x); err != nil {
		return nil, err
	}
	if x.KeyFile {
		b, err := s.node.ExportKeyFile(r.Context(), x.Password)
		return Secret{KeyFile: b}, err
	}
	phrase, err := s.node.ExportPhrase(r.Context(), x.Password)
	return Secret{Phrase: phrase}, err
}

func (s *Server) restore(r *http.Request) (any, error) {
	var x RestoreRequest
	if err := decode(r, &x); err != nil {
		return nil, err
	}
	switch {
	case len(x.KeyFile) > 0 && (x.Name != "" || x.Phrase != ""):
		return nil, &Error{Code: CodeBadRequest, Message: "restore from a key file or from a name and phrase, not both"}
	case len(x.KeyFile) > 0:
		return s.node.RestoreKeyFile(r.Context(), x.KeyFile, x.Password)
	case x.Phrase == "":
		return nil, &Error{Code: CodeBadRequest, Message: "restore needs a key file, or a name and a recovery phrase"}
	}
	return s.node.RestorePhrase(r.Context(), x.Name, x.Phrase, x.Password)
}

func (s *Server) power(r *http.Request) (any, error) {
	var p PowerRequest
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	m, err := core.ParsePowerMode(p.Mode)
	if err != nil {
		return nil, &Error{Code: CodeBadRequest, Message: err.Error()}
	}
	if err := s.node.SetPowerMode(m); err != nil {
		return nil, err
	}
	return s.powerState(r)
}

func (s *Server) network(r *http.Request) (any, error) {
	var n NetworkRequest
	if err := decode(r, &n); err != nil {
		return nil, err
	}
	t, err := core.ParseNetworkType(n.Type)
	if err != nil {
		return nil, &Error{Code: CodeBadRequest, Message: err.Error()}
	}
	if err := s.node.SetNetworkType(t); err != nil {
		return nil, err
	}
	return s.powerState(r)
}

// powerState answers the node's power mode and network type.
func (s *Server) powerState(r *http.Request) (any, error) {
	st, err := s.node.Status(r.Context())
	if err != nil {
		return nil, err
	}
	return Power{Power: st.Power, Network: st.Network}, nil
}

func (s *Server) feed(r *http.Request) (any, error) {
	limit, err := limitParam(r)
	if err != nil {
		return nil, err
	}
	p, err := s.node.Feed(r.Context(), r.FormValue("cursor"), limit)
	return page(p), err
}

// search answers /v1/search?q=QUERY&kind=KIND&limit=N: the limit is
// checked by the node (1 to 100, 0 or none for its default).
func (s *Server) search(r *http.Request) (any, error) {
	limit := 0
	if v := r.FormValue("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, &Error{Code: CodeBadRequest, Message: fmt.Sprintf("invalid limit %q", v)}
		}
		limit = n
	}
	res, err := s.node.Search(r.Context(), r.FormValue("q"), core.SearchKind(r.FormValue("kind")), limit)
	res.Users, res.Posts = nonNil(res.Users), nonNil(res.Posts)
	return res, err
}

func (s *Server) timeline(r *http.Request) (any, error) {
	limit, err := limitParam(r)
	if err != nil {
		return nil, err
	}
	p, err := s.node.Timeline(r.Context(), r.FormValue("name"), r.FormValue("cursor"), limit)
	return page(p), err
}

func (s *Server) following(r *http.Request) (any, error) {
	u, err := s.node.Following(r.Context())
	return Users{Users: nonNil(u)}, err
}

func (s *Server) followers(r *http.Request) (any, error) {
	u, err := s.node.Followers(r.Context())
	return Users{Users: nonNil(u)}, err
}

func (s *Server) notifications(r *http.Request) (any, error) {
	limit, err := limitParam(r)
	if err != nil {
		return nil, err
	}
	markRead := false
	if v := r.FormValue("mark_read"); v != "" {
		if markRead, err = strconv.ParseBool(v); err != nil {
			return nil, &Error{Code: CodeBadRequest, Message: fmt.Sprintf("invalid mark_read %q: use 1 or 0", v)}
		}
	}
	n, err := s.node.Notifications(r.Context(), limit, markRead)
	return Notifications{Notifications: nonNil(n)}, err
}

func (s *Server) profile(r *http.Request) (any, error) {
	var p ProfileRequest
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	return s.node.SetProfile(r.Context(), p.DisplayName, p.Bio, p.Link)
}

func (s *Server) whois(r *http.Request) (any, error) {
	return s.node.Whois(r.Context(), r.FormValue("name"))
}

func (s *Server) thread(r *http.Request) (any, error) {
	th, err := s.node.Thread(r.Context(), r.FormValue("id"))
	th.Ancestors, th.Replies = nonNil(th.Ancestors), nonNil(th.Replies)
	return th, err
}

func (s *Server) status(r *http.Request) (any, error) {
	st, err := s.node.Status(r.Context())
	st.Addrs, st.Accounts = nonNil(st.Addrs), nonNil(st.Accounts)
	return st, err
}

// uiInfo answers /v1/ui: GET gives the web UI's addresses, POST starts it
// first if needed.
func (s *Server) uiInfo(r *http.Request) (any, error) {
	if s.ui == nil {
		return nil, ErrUIOff
	}
	return s.ui(r.Context(), r.Method == http.MethodPost)
}

func (s *Server) peers(*http.Request) (any, error) {
	return Connections{Connections: nonNil(s.node.Connections())}, nil
}

func (s *Server) holders(r *http.Request) (any, error) {
	hs, err := s.node.Holders(r.Context())
	return Holders{Holders: nonNil(hs)}, err
}

// streamLine is one line of /v1/events: an event, or an error that ends
// the stream.
type streamLine struct {
	core.Event
	Error string `json:"error,omitempty"`
	Code  string `json:"code,omitempty"`
}

// events streams the node's events as JSON lines, flushed one by one, until
// the client goes away, the node closes or the server shuts down; those last
// two end the stream with an error line.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.streams, cancel)
	defer stop()

	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return
	}

	events := make(chan core.Event, eventBuffer)
	var overflow atomic.Bool
	watched := make(chan error, 1)
	go func() {
		watched <- s.node.Watch(ctx, func(ev core.Event) {
			select {
			case events <- ev:
			default:
				overflow.Store(true)
				cancel()
			}
		})
	}()

	enc := json.NewEncoder(w)
	send := func(l streamLine) bool {
		if err := enc.Encode(l); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	for {
		select {
		case ev := <-events:
			if !overflow.Load() && !send(streamLine{Event: ev}) {
				cancel()
				<-watched
				return
			}
		case err := <-watched:
			var end streamLine
			switch {
			case overflow.Load():
				end = streamLine{Code: CodeTooLarge, Error: "event stream ended: the reader fell behind"}
			case s.streams.Err() != nil:
				end = streamLine{Code: CodeShutdown, Error: "the daemon is shutting down"}
			case r.Context().Err() != nil:
				return // the client went away
			case err == nil || errors.Is(err, context.Canceled):
				end = streamLine{Code: CodeInternal, Error: "event stream ended"}
			default:
				e, _ := s.toError(r, err)
				end = streamLine{Code: e.Code, Error: e.Message}
			}
			send(end)
			return
		}
	}
}

// toError turns a handler's error into the Error document and HTTP status
// to answer with.
func (s *Server) toError(r *http.Request, err error) (*Error, int) {
	var e *Error
	if errors.As(err, &e) {
		return &Error{Code: e.Code, Message: oneLine(e.Message)}, statusOf(e)
	}
	msg := oneLine(err.Error())
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return &Error{Code: c.code, Message: msg}, c.status
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		if err == context.DeadlineExceeded {
			msg = fmt.Sprintf("the daemon gave up after %v", RequestTimeout)
		}
		return &Error{Code: CodeTimeout, Message: msg}, http.StatusGatewayTimeout
	}
	s.log.Warn("api request failed", "path", r.URL.Path, "err", err)
	return &Error{Code: CodeInternal, Message: msg}, http.StatusInternalServerError
}

// statusOf returns the HTTP status for an Error made by the server itself.
func statusOf(e *Error) int {
	switch e.Code {
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeNotFound:
		return http.StatusNotFound
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	}
	return http.StatusBadRequest
}

// decode reads exactly one JSON value from r's body into v. A body that
// is not valid UTF-8, or that escapes a lone UTF-16 surrogate, is refused
// before it is decoded: encoding/json would silently turn either into
// U+FFFD, storing something other than what the client meant.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return &Error{Code: CodeTooLarge, Message: fmt.Sprintf("request body is larger than %d bytes", MaxBody)}
	case err != nil:
		return &Error{Code: CodeBadRequest, Message: "reading the request body: " + err.Error()}
	}
	if err := checkText(body); err != nil {
		return &Error{Code: CodeBadRequest, Message: "request body " + err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil {
		if _, err2 := dec.Token(); err2 != io.EOF {
			return &Error{Code: CodeBadRequest, Message: "request body holds more than one JSON value"}
		}
		return nil
	}
	if errors.Is(err, io.EOF) {
		return &Error{Code: CodeBadRequest, Message: "request body is empty: want a JSON object"}
	}
	return &Error{Code: CodeBadRequest, Message: "invalid request body: " + err.Error()}
}

// checkText checks that b, JSON text, is valid UTF-8 and escapes no lone
// UTF-16 surrogate (\ud800 not followed by a low surrogate, or a low one
// alone), the two things encoding/json decodes to U+FFFD. The error says
// what and where, for "request body …".
func checkText(b []byte) error {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return fmt.Errorf("is not valid UTF-8: byte 0x%02x at offset %d; send text as UTF-8", b[i], i)
		}
		i += size
	}
	for i := 0; i+1 < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if b[i+1] != 'u' {
			i++ // an escape of one character, such as \\
			continue
		}
		r, ok := hex4(b[i+2:])
		switch {
		case !ok || !utf16.IsSurrogate(r):
		case r < 0xdc00 && len(b) >= i+12 && b[i+6] == '\\' && b[i+7] == 'u':
			if r2, ok := hex4(b[i+8:]); ok && 0xdc00 <= r2 && r2 < 0xe000 {
				i += 11 // a surrogate pair: one character
				continue
			}
			fallthrough
		default:
			return fmt.Errorf("holds %s at offset %d, half of a UTF-16 surrogate pair, which is no character", b[i:i+6], i)
		}
		i++
	}
	return nil
}

// hex4 decodes the 4 hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 16)
	return rune(n), err == nil
}

// requestID returns the request ID of the Idempotency-Key header values
// vs: one value, a token or a quoted string (a Structured Field string, as
// the IETF draft has it) holding a valid ID.
func requestID(vs []string) (string, error) {
	if len(vs) != 1 {
		return "", fmt.Errorf("%w: %d %s headers, want one", core.ErrInvalidRequestID, len(vs), RequestIDHeader)
	}
	id := strings.TrimSpace(vs[0])
	if len(id) >= 2 && id[0] == '"' && id[len(id)-1] == '"' {
		id = id[1 : len(id)-1]
	}
	return id, core.CheckRequestID(id)
}

// checkQuery refuses query parameters that are not valid UTF-8: decoding
// them would not fail, and the node would get other text than was sent.
func checkQuery(r *http.Request) *Error {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return &Error{Code: CodeBadRequest, Message: "invalid query: " + err.Error()}
	}
	for k, vs := range q {
		for _, v := range append(vs, k) {
			if !utf8.ValidString(v) {
				return &Error{Code: CodeBadRequest, Message: fmt.Sprintf("query parameter %q is not valid UTF-8: send text as UTF-8", k)}
			}
		}
	}
	return nil
}

// limitParam returns the request's limit parameter, DefaultLimit if absent.
func limitParam(r *http.Request) (int, error) {
	v := r.FormValue("limit")
	if v == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, &Error{Code: CodeBadRequest, Message: fmt.Sprintf("invalid limit %q: use 1 to %d", v, MaxLimit)}
	}
	return n, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(&Error{Code: CodeInternal, Message: "encoding the answer: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, e *Error, status int) {
	writeJSON(w, status, e)
}

// page makes an empty page's posts [] rather than null.
func page(p core.Page) core.Page {
	p.Posts = nonNil(p.Posts)
	return p
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// oneLine joins the lines of a multi-line message.
func oneLine(msg string) string {
	if !strings.ContainsAny(msg, "\r\n") {
		return msg
	}
	lines := strings.FieldsFunc(msg, func(r rune) bool { return r == '\r' || r == '\n' })
	return strings.Join(lines, "; ")
}

// statusWriter records the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
