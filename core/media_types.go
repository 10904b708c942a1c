package core

import (
	"time"

	"github.com/skein-p2p/skein/core/internal/blobstore"
)

// Media describes one image attached to a post or reply, an avatar or
// banner, or an item of an album: what the author's signed entry says of a
// blob. Blobs are named by the BLAKE3 root of their bytes and every byte is
// verified against it before it is stored, served or shown.
type Media struct {
	Root   string `json:"root"` // BLAKE3 root of the bytes, 64 hex digits
	Size   uint64 `json:"size"` // bytes
	Type   string `json:"type"` // MIME type, from an allow-list (MediaTypes)
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	Alt    string `json:"alt,omitempty"` // alt text
	// Thumb is the root of a thumbnail of at most 16 KiB, "" if none.
	Thumb     string `json:"thumb,omitempty"`
	ThumbSize int    `json:"thumb_size,omitempty"`
	// Blurhash is a placeholder to show until the thumbnail arrives.
	Blurhash string `json:"blurhash,omitempty"`
	// Name is the file name of an album item.
	Name string `json:"name,omitempty"`
	// Local says this node holds the whole blob, verified.
	Local bool `json:"local"`
}

// MediaInput describes a file given to ImportMedia. The app makes the
// thumbnail and reads the dimensions (phones natively; the CLI with Go), so
// the core links no image decoder.
type MediaInput struct {
	// Type is the MIME type. It must be on the allow-list and agree with
	// the file's first bytes when they are recognised.
	Type          string
	Width, Height int
	Alt           string
	// Thumb is a thumbnail of at most 16 KiB (JPEG, PNG or WebP), or nil.
	Thumb []byte
	// Blurhash is a blurhash placeholder, or "".
	Blurhash string
	// Name is a file name, for an album item.
	Name string
}

// MediaProgress reports a download: pieces verified and stored, bytes, the
// rate and the peers sending. Done is set on the last report.
type MediaProgress struct {
	Root      string  `json:"root"`
	Name      string  `json:"name,omitempty"`
	Size      int64   `json:"size"`
	Verified  int64   `json:"verified"`
	Pieces    int     `json:"pieces"`
	Have      int     `json:"have"`
	Peers     int     `json:"peers"`
	Rate      float64 `json:"rate"` // bytes per second
	Duplicate int64   `json:"duplicate,omitempty"`
	Bad       int     `json:"bad,omitempty"` // peers dropped for sending bad bytes
	Done      bool    `json:"done,omitempty"`
}

// MediaUsage says how much space media takes on this device, by tier.
type MediaUsage struct {
	Own         int64 `json:"own"`    // the account's own media: never evicted
	Pinned      int64 `json:"pinned"` // mirrored albums: never evicted
	Thumbs      int64 `json:"thumbs"` // thumbnails and avatars
	Cache       int64 `json:"cache"`  // everything else, evicted least recently used first
	Partial     int64 `json:"partial"`
	Blobs       int   `json:"blobs"`
	CacheBudget int64 `json:"cache_budget"`
	ThumbBudget int64 `json:"thumb_budget"`
}

// Album is a named collection of files in its author's log: created, added
// to and removed from by signed entries, mirrored by whoever wants a copy.
type Album struct {
	Author    string    `json:"author"`
	AuthorKey string    `json:"author_key"`
	Slug      string    `json:"slug"` // the album's name within its author's albums
	Title     string    `json:"title"`
	Items     []Media   `json:"items"`
	Size      uint64    `json:"size"` // bytes of all items
	Updated   time.Time `json:"updated,omitzero"`
	// Mirrored says this node pins the album and fetches what is added.
	Mirrored bool `json:"mirrored,omitempty"`
	// MirrorDir is where the mirror writes the files, "" for none.
	MirrorDir string `json:"mirror_dir,omitempty"`
	// Held is how many items this node holds whole.
	Held int `json:"held"`
}

// MediaLimits bounds the space media takes on a device. Zero fields keep
// the defaults.
type MediaLimits struct {
	// CacheBudget bounds the media fetched to be looked at: default
	// min(1 GiB, 10 % of the free space when the node starts). Least
	// recently used blobs go first; none fetched in the last hour, none in
	// flight.
	CacheBudget int64
	// ThumbBudget bounds thumbnails and avatars: default 64 MiB.
	ThumbBudget int64
}

func (l MediaLimits) limits(immunity time.Duration) blobstore.Limits {
	return blobstore.Limits{CacheBudget: l.CacheBudget, ThumbBudget: l.ThumbBudget, Immunity: immunity}
}
