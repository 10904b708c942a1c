package names

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"time"

	record "github.com/libp2p/go-libp2p-record"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// MaxClockSkew is how far ahead of the local clock a record's timestamps may
// be.
const MaxClockSkew = time.Hour

// Validator validates and selects name records for kad-dht. Its zero value
// uses the system clock. It is safe for concurrent use if Now is.
type Validator struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

var _ record.Validator = Validator{}

// Validate checks that value is a valid record for the DHT key: it decodes,
// its signature verifies, its name is the key's, and neither Created nor
// Updated is more than MaxClockSkew in the future.
func (v Validator) Validate(key string, value []byte) error {
	name, err := nameFromKey(key)
	if err != nil {
		return err
	}
	_, err = v.validate(name, value)
	return err
}

// validate is Validate for a name already taken from its key.
func (v Validator) validate(name string, value []byte) (Record, error) {
	r, err := parse(value)
	if err != nil {
		return Record{}, err
	}
	if r.Name != name {
		return Record{}, fmt.Errorf("%w: record for %q stored under %q", ErrWrongKey, r.Name, Key(name))
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	limit := uint64(max(now().Add(MaxClockSkew).UnixMilli(), 0))
	if r.Updated > limit { // parse checked Created <= Updated
		return Record{}, fmt.Errorf("%w: %q by %s is dated %d ms, more than %v ahead of this device's clock",
			ErrFuture, r.Name, r.Account.Short(), r.Updated, MaxClockSkew)
	}
	if err := r.verify(value); err != nil {
		return Record{}, err
	}
	return r, nil
}

// Select returns the index of the best of values for the DHT key. Created
// is what a claimant says and decides nothing, and no other order between
// accounts is one an attacker could not win (a key is chosen at will), so
// Select does not choose between accounts: it keeps the account of the
// first valid value and returns that account's latest record (latest
// Updated, then the smaller encoding; of equal values the first). kad-dht
// calls it with [new, stored] on a PUT, where a Registry refuses another
// account's record for a name it holds, and with [best so far, received]
// during a lookup, whose choice Skein does not use: lookups collect every
// value and Resolve them. Values that do not decode, fail their work or
// signature, or belong to another name are never selected; Select fails
// only if no value is valid. It does not read the clock.
func (v Validator) Select(key string, values [][]byte) (int, error) {
	name, err := nameFromKey(key)
	if err != nil {
		return 0, err
	}
	best := -1
	var bestClaim claim
	for i, value := range values {
		r, err := Decode(value)
		if err != nil || r.Name != name {
			continue
		}
		c := claim{r, value}
		if best >= 0 && c.Account != bestClaim.Account {
			continue
		}
		if best < 0 || c.compare(&bestClaim) < 0 {
			best, bestClaim = i, c
		}
	}
	if best < 0 {
		return 0, fmt.Errorf("%w: none of %d values for %s is valid", ErrNotFound, len(values), key)
	}
	return best, nil
}

// Resolution is what a lookup of a name found, as Resolve decided it.
type Resolution struct {
	// Record is the latest record of the account the name resolves to; the
	// zero Record if Resolve found a conflict.
	Record Record
	// Claims holds the latest valid record of every account found claiming
	// the name, in account key order. More than one means the name is
	// contested, even if the anchors decided.
	Claims []Record
	// Anchored says that the anchors' records decided.
	Anchored bool
}

// Claim returns the latest record of account among the claims, if any.
func (r Resolution) Claim(account entry.Key) (Record, bool) {
	for _, c := range r.Claims {
		if c.Account == account {
			return c, true
		}
	}
	return Record{}, false
}

// Resolve decides which account a name means from what a lookup of its DHT
// key found: anchored are the values held by the node's anchors (the
// relays and bootstrap peers its user configured, and so trusts), found
// every other value (the DHT search, the closest peers' copies, the local
// store). Invalid values are skipped. Created is never read:
//
//   - if the anchors' valid records all name one account, the name is that
//     account's, whatever the other values say;
//   - if they name several, it is a conflict;
//   - with no valid anchor record, the name is the account every valid
//     value names, and a conflict if they name several.
//
// The Resolution's Record is the decided account's latest record among all
// the values. A conflict returns an error wrapping ErrConflict with the
// claims; no valid value returns ErrNotFound.
func Resolve(key string, anchored, found [][]byte) (Resolution, error) {
	return Validator{}.Resolve(key, anchored, found)
}

// Resolve is like the package's Resolve, with v's clock.
func (v Validator) Resolve(key string, anchored, found [][]byte) (Resolution, error) {
	name, err := nameFromKey(key)
	if err != nil {
		return Resolution{}, err
	}
	latest := map[entry.Key]claim{}
	anchors := map[entry.Key]bool{}
	add := func(values [][]byte, anchor bool) {
		for _, value := range values {
			r, err := v.validate(name, value)
			if err != nil {
				continue
			}
			c := claim{r, value}
			if old, ok := latest[r.Account]; !ok || c.compare(&old) < 0 {
				latest[r.Account] = c
			}
			if anchor {
				anchors[r.Account] = true
			}
		}
	}
	add(anchored, true)
	add(found, false)
	if len(latest) == 0 {
		return Resolution{}, fmt.Errorf("%w: %s: none of %d values is valid", ErrNotFound, key, len(anchored)+len(found))
	}
	var res Resolution
	for _, c := range latest {
		res.Claims = append(res.Claims, c.Record)
	}
	slices.SortFunc(res.Claims, func(a, b Record) int { return bytes.Compare(a.Account[:], b.Account[:]) })
	decide := func(accounts int, pick func() entry.Key) error {
		if accounts > 1 {
			return fmt.Errorf("%w: %q is claimed by %d accounts", ErrConflict, name, accounts)
		}
		res.Record = latest[pick()].Record
		return nil
	}
	if len(anchors) > 0 {
		res.Anchored = true
		err = decide(len(anchors), func() entry.Key {
			for k := range anchors {
				return k
			}
			return entry.Key{}
		})
	} else {
		err = decide(len(latest), func() entry.Key { return res.Claims[0].Account })
	}
	if err != nil {
		return res, err
	}
	return res, nil
}

// claim is a decoded record with its encoding.
type claim struct {
	Record
	raw []byte
}

// compare orders two records of one account, the one to keep first: the
// latest Updated, then the smaller encoding. It is a total order on
// encodings. It never compares accounts: nothing decides between them.
func (c *claim) compare(d *claim) int {
	if n := cmp.Compare(d.Updated, c.Updated); n != 0 {
		return n
	}
	return bytes.Compare(c.raw, d.raw)
}
