// Package search is a node's local search index: case-insensitive
// substring search over the accounts it knows (name, display name, bio)
// and the posts and replies it holds (text, with its #hashtags and
// @mentions), and an exact index of hashtags. It lives in the node's
// database under store.SearchPrefix, through a store.Prefix view.
//
// # Matching
//
// Texts and queries are folded with strings.ToLower, so a substring of
// the folded UTF-8 bytes is a case-insensitive substring of the text. Each
// indexed text is folded, two zero bytes are appended, and every distinct
// 3-byte window of the result (a trigram) gets a posting row naming the
// document, whose value is the trigram's signature in that document: a
// 64-bit Bloom filter of the trigrams found up to 8 bytes before or after
// an occurrence of it, each with its offset. The index counts the postings
// of each trigram.
//
// A query of 3 bytes or more reads the posting list of its rarest trigram
// (by those counts; a trigram with none ends the query at once), skips the
// postings whose signature lacks the bit of one of the query's other
// trigrams at its offset in the query from the rarest one (so a document
// that holds the query's trigrams, but not in its order, is seldom read),
// and checks the rest. A query of 1 or 2 bytes merges the lists of the
// trigrams that start with it (the zero padding makes every byte of a text
// the start of a trigram), or, when more than maxShortLists trigrams start
// with it, scans the documents in order, at most maxShortScan of them.
// Every candidate is checked against its folded text before it is
// returned, so there are no false positives, and a query is literal text:
// '%', '_', '.*' and '\' match themselves. A query reads at most
// maxPostings postings and checks at most maxCandidates documents: one
// whose every trigram is frequent (a phrase of common short words) can
// stop there with the newest of its matches.
//
// A hashtag is '#' at the start of a text or after a character that is
// not a letter, digit or '_', followed by the longest run of Unicode
// letters, digits and '_' (1 to MaxTagChars of them; a longer run is not
// a tag); tags are folded like texts, and a text has at most MaxTags.
//
// # Key layout
//
// Keys are relative to the Prefix view. A post's document ID (docid) is
// ^wall (8 bytes) ^logical (4) tiebreak (4): its HLC time reversed, so
// that ascending order is newest first, and 4 bytes of SHA-256 of its
// author and seq, incremented past any collision. An account's docid is
// its name, a zero byte and its key (32), so that ascending order is name
// order.
//
//	p <trigram> <post docid>        post posting: the trigram's signature in the post (8 bytes)
//	d <post docid>                  post: author (32), seq (8), folded text
//	k <author> <seq>                the docid of the post at seq of author
//	h <tag> 0 <post docid>          post carrying #tag (empty value)
//	u <trigram> <account docid>     account posting: the trigram's signature in its text (8 bytes)
//	A <account docid>               account: name, display name and bio, each
//	                                a uvarint length and its bytes
//	a <key>                         the name under which key is indexed
//	c <p or u> <trigram>            the number of postings of the trigram (uvarint)
//	w                               1 while posts the node stored wait to be indexed
//	v                               build state: 1 when every held post was
//	                                indexed, else 0 and the cursor of the next;
//	                                0 with no cursor again when more posts
//	                                were queued than the Indexer keeps
//
// An account's indexed text is '@', its name, a zero byte, its display
// name, a zero byte and its bio, so "@ali" finds @alice and no query spans
// two fields. Posts whose entries leave the store (deleted, or collected
// by GC) are removed by RemovePost where the node learns it, and else
// lazily: a query's caller reports each stale candidate and the index
// deletes it.
//
// An Index is safe for concurrent use.
package search
