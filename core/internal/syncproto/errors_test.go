package syncproto

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
)

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"oversize frame", func() error {
			_, err := ReadRequest(bytes.NewReader(appendLen(nil, 1<<20)))
			return err
		}(), "syncproto: protocol violation: request too large: at least "},
		{"truncated", func() error {
			_, err := ReadNotice(bytes.NewReader(nil))
			return err
		}(), "syncproto: protocol violation: notice truncated: unexpected EOF"},
		{"bad entry", func() error {
			_, err := Fetch(bytes.NewReader(entryFrame(make([]byte, 200))), io.Discard, Request{}, func([]*entry.Entry) error { return nil })
			return err
		}(), "syncproto: protocol violation: entry 1: entry: malformed: unknown version 0"},
		{"local too large", WriteRequest(io.Discard, Request{Wants: manyWants(MaxWants + 1)}), "syncproto: message too large: request of 4097 wants, limit 4096"},
	}
	for _, tt := range tests {
		if tt.err == nil || !strings.HasPrefix(tt.err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want %q…", tt.name, tt.err, tt.want)
		}
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

func TestWriteErrors(t *testing.T) {
	errGone := errors.New("stream reset")
	req := Request{Wants: []Want{{Author: author(alice)}}}
	var in bytes.Buffer
	WriteRequest(&in, req)
	src := newSource(newLog(t, alice, 300, nil))
	if err := Serve(&in, failWriter{errGone}, src); !errors.Is(err, errGone) {
		t.Errorf("Serve() to a broken stream = %v, want %v", err, errGone)
	}
	if _, err := Fetch(bytes.NewReader(nil), failWriter{errGone}, req, nil); !errors.Is(err, errGone) {
		t.Errorf("Fetch() to a broken stream = %v, want %v", err, errGone)
	}
	n := Notice{Entries: [][]byte{newLog(t, alice, 1, nil)[0].Bytes()}}
	if err := WriteNotice(failWriter{errGone}, n); !errors.Is(err, errGone) {
		t.Errorf("WriteNotice() to a broken stream = %v, want %v", err, errGone)
	}
	if err := WriteAck(failWriter{errGone}); !errors.Is(err, errGone) {
		t.Errorf("WriteAck() to a broken stream = %v, want %v", err, errGone)
	}
}
