// Package syncproto implements Skein's pull protocol (SyncID) and its direct
// notification message (NotifyID): the wire codecs and the request/response
// logic, over plain io.Reader and io.Writer. The node opens the libp2p
// streams, sets their deadlines and closes or resets them; this package
// never touches the network itself.
//
// # Sync
//
// The client sends one Request: for many authors at once, the highest
// sequence number it holds. The server answers with a stream of entry
// frames, each carrying one signed entry exactly as stored (in full, or
// redacted: without its body, as after a delete), and a final frame whose
// More flag says the response was cut by a count or byte limit and the
// client should ask again from where it got to.
//
//	client                          server
//	Request{Wants, limits}  ---->   Serve: for each Want in order,
//	                                  Source.Entries(author, have, ...)
//	Fetch: validate, batch  <----   entry frame, entry frame, ...
//	       fn(batch) ...    <----   final frame {More}
//
// Fetch never trusts the server: every frame is bounded, every entry is
// parsed (entry.Parse) and checked against the request before the caller
// sees it. Fetch does not verify signatures; the caller does, on as many
// cores as it likes, batch by batch while the stream goes on.
//
// # Notify
//
// A Notice carries up to MaxNoticeEntries signed entries straight to one
// peer, for example the follow entry that names the receiver, and
// optionally the sender's signed name record (at most MaxNoticeName bytes),
// which this package carries without parsing. The receiver answers with a
// one-byte ack.
//
// # Framing
//
// Every message is one frame: its payload length as a minimal unsigned
// LEB128 varint, then the payload. Each message type has a size cap that a
// reader checks before it allocates. docs/PROTOCOL.md describes the layouts.
//
// Nothing in this package keeps state between calls; all functions are
// safe for concurrent use on distinct streams.
package syncproto
