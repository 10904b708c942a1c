package api

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api/apitest"
)

// fakeUI is a UIFunc's state: the UI starts on the first POST.
type fakeUI struct {
	running bool
	starts  int
}

func (f *fakeUI) info(_ context.Context, start bool) (UI, error) {
	if !f.running && !start {
		return UI{}, ErrUIOff
	}
	if !f.running {
		f.running = true
		f.starts++
	}
	return UI{URL: "http://127.0.0.1:8123/", LoginURL: "http://127.0.0.1:8123/auth#k3y"}, nil
}

func TestUI(t *testing.T) {
	want := UI{URL: "http://127.0.0.1:8123/", LoginURL: "http://127.0.0.1:8123/auth#k3y"}
	cl, s, url := serve(t, apitest.NewNode(time.Unix(1e9, 0)))
	ctx := context.Background()

	// No UI set: both methods say it is off.
	for _, start := range []bool{false, true} {
		if _, err := cl.UI(ctx, start); !errors.Is(err, ErrUIOff) {
			t.Errorf("UI(start %v) without SetUI: error = %v, want ErrUIOff", start, err)
		}
	}

	f := &fakeUI{}
	s.SetUI(f.info)
	_, err := cl.UI(ctx, false)
	var e *Error
	if !errors.As(err, &e) || e.Code != "ui_off" || e.Status != http.StatusNotFound || !errors.Is(err, ErrUIOff) ||
		e.Message != "the web UI is not running: start it with skein ui" {
		t.Fatalf("UI(false) while off: error = %#v, want 404 ui_off", err)
	}
	for i, start := range []bool{true, false, true} {
		got, err := cl.UI(ctx, start)
		if err != nil || got != want {
			t.Errorf("UI(start %v) #%d = %+v, %v; want %+v", start, i, got, err, want)
		}
	}
	if f.starts != 1 {
		t.Errorf("the UI started %d times, want once", f.starts)
	}
	for _, method := range []string{http.MethodPut, http.MethodDelete} {
		status, e := rawRequest(t, url, method, "/v1/ui", "")
		if status != http.StatusMethodNotAllowed || e.Code != CodeMethodNotAllowed || e.Message != "/v1/ui needs method GET or POST" {
			t.Errorf("%s /v1/ui = %d %+v, want 405 method_not_allowed", method, status, e)
		}
	}
}
