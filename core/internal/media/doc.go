// Package media defines what Skein's signed log entries say about blobs:
// media descriptors, the media section of posts and replies, album ops and
// their fold, and the allow-list of types with a sniffer that checks them.
// It does no I/O; blobs themselves are named, verified and moved by the
// blob, blobstore and blobnet packages.
//
// # Descriptor
//
// A descriptor is a list of fields in strictly ascending tag order, each a
// tag (1 byte), a value length (2 bytes, big-endian) and the value:
//
//	tag  value                          when
//	1    root, 32 bytes (BLAKE3)        always
//	2    size, 8 bytes                  always; 1 to blob.MaxSize
//	3    MIME type                      always; AllowedType
//	4    width, 2 bytes                 if not 0
//	5    height, 2 bytes                if not 0
//	6    alt text, UTF-8                if not empty; <= 1000 code points, <= 2000 bytes
//	7    thumbnail root (32) + size (4) if there is one; size 1 to MaxThumbSize
//	8    blurhash                       if not empty; <= 64 base-83 digits
//	9    SHA-256 of the blob, 32 bytes  if not all zero (bridging only)
//	10   file name, UTF-8               if not empty; <= 255 bytes, no '/', '\', controls, bidi controls, :*?"<>|; not ".", "..", a trailing dot or space, or a Windows device name
//
// Fields of other tags are kept as they are (Descriptor.Unknown), so a
// later version can add fields. The encoding is canonical: fixed-width
// fields have their exact length, optional fields are absent rather than
// zero, and one Descriptor has one encoding, at most MaxDescriptor (2600)
// bytes long.
//
// # Post media section
//
// A post body, or a reply body after its parent, is its text, then, if it
// carries media, 0x00 and the section:
//
//	count (1 byte, 1 to MaxPerPost = 4)
//	count times: length (2 bytes, big-endian), descriptor
//
// Text never holds 0x00, so the first 0x00 starts the section. With media,
// the text may be empty. Section descriptors are of an ImageType.
//
// # Album op
//
// An album entry's body is:
//
//	op (1 byte: 1 create, 2 add, 3 remove, 4 drop)
//	slug length (1 byte), slug ([a-z0-9][a-z0-9_-]{0,31})
//	create: title length (2 bytes), title (1 to 100 code points)
//	add:    count (1 byte, 1 to MaxItemsPerAdd = 64), then count times
//	        length (2 bytes) and a descriptor with a file name, names distinct
//	remove: count (1 byte, 1 to 255), then count roots of 32 bytes
//	drop:   nothing
//
// Albums folds one author's ops in log order: create makes an album (at
// most MaxAlbums = 256 at a time); add appends items, an item with the
// name of one the album holds replacing it in place (at most
// MaxAlbumItems = 10000 items); remove deletes every item with a named
// root; drop deletes the album, whose slug a later create may reuse. An op
// that cannot apply changes nothing; a deleted (redacted) entry is simply
// not applied.
//
// Every decoder here bounds its input before allocating, refuses what is
// not canonical, and wraps ErrInvalid in its errors.
package media
