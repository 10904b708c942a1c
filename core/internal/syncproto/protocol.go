package syncproto

// Protocol IDs, for libp2p stream negotiation.
const (
	SyncID   = "/skein/sync/1.0.0"
	NotifyID = "/skein/notify/1.0.0"
)

// Limits of the sync protocol.
const (
	// MaxWants is the most authors one Request may ask about.
	MaxWants = 4096
	// MaxEntries is the most entries one response carries, whatever the
	// request asks for.
	MaxEntries = 10_000
	// MaxBytes is the most entry bytes (the sum of the entries' signed
	// encodings) one response carries, whatever the request asks for.
	MaxBytes = 8 << 20
)

// MaxNoticeEntries is the most entries one Notice carries.
const MaxNoticeEntries = 16
