// Package medialib is a node's media library: the blobs it holds and why,
// where each blob it knows of comes from, and what it fetches next.
//
// It ties three packages together: blobstore (verified bytes on disk, in
// tiers, with a persisted bitfield), blobnet (the /skein/blob/1.0.0 server
// and the multi-source downloader) and media (the descriptors of signed
// entries). The node hands it every descriptor it ingests (Note); the
// library remembers which author's entry named each root, so that a later
// fetch knows its size and whom to ask (the author's device, the holders of
// the author's log, relays, connected peers: the node's Providers function),
// and it fetches in the background what the node should hold without being
// asked: thumbnails, the items of mirrored albums, and on a relay the media
// of the logs it keeps, within its quota.
//
// Fetches of one root are shared (one download however many callers), and
// background fetches run one queue with bounded length and concurrency;
// thumbnails are batched into one GETMANY per provider.
//
// Layout of its KV view (the node passes the prefix 'I'):
//
//	r <root>              index: author (32), size (8), flags (1: 1 thumbnail), type length (1), type
//	m <author> <slug>     mirror: directory length (2), directory (may be empty)
//	e <author> <slug length (1)> <slug> <root>
//	                      an item a mirror holds (and pinned, once): the name its file was written under
//
// The index keeps the first description of a root it sees, unless a local
// account's own entry describes it: a stranger's entry cannot re-describe
// another author's blob. A blob pinned by a mirror is pinned once per
// mirror (Hold) and unpinned when the item leaves the album or the mirror
// ends (Release): the pin count is the number of mirrors that hold it.
package medialib
