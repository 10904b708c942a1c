package media

import "errors"

// Limits of descriptors, post sections and albums.
const (
	// MaxThumbSize is the largest thumbnail blob: one bao chunk group, so
	// a thumbnail is verified by its root alone.
	MaxThumbSize = 16 << 10
	// MaxPerPost is the most descriptors a post or reply carries.
	MaxPerPost = 4
	// MaxAltChars is the longest alt text, in code points; it is also at
	// most 2000 bytes.
	MaxAltChars = 1000
	// MaxDescriptor is the longest encoded descriptor, in bytes.
	MaxDescriptor = 2600
	// MaxItemsPerAdd is the most descriptors one album add carries.
	MaxItemsPerAdd = 64
	// MaxAlbumItems is the most items one album holds.
	MaxAlbumItems = 10000
	// MaxAlbums is the most albums one author has at a time.
	MaxAlbums = 256
	// MaxAvatarSize is the largest avatar or banner blob.
	MaxAvatarSize = 4 << 20
	// MaxTitleChars is the longest album title, in code points.
	MaxTitleChars = 100
)

// Unexported limits: byte bounds that follow from the ones above.
const (
	maxAltBytes   = 2000
	maxNameBytes  = 255
	maxBlurhash   = 64
	maxTypeBytes  = 64
	maxTitleBytes = 4 * MaxTitleChars
	maxSlug       = 32
)

// ErrInvalid is wrapped by every error of this package's decoders and
// checks.
var ErrInvalid = errors.New("media: invalid")
