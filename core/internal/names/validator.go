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

// Select returns the index of the best of values for the DHT key, in the
// order described in the package documentation; of equal values it returns
// the first. Values that do not decode, fail their signature or belong to
// another name are never selected; Select fails only if no value is valid.
// Select does not read the clock, so its choice is stable over time.
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
		if best < 0 || c.compare(&bestClaim) < 0 {
			best, bestClaim = i, c
		}
	}
	if best < 0 {
		return 0, fmt.Errorf("%w: none of %d values for %s is valid", ErrNotFound, len(values), key)
	}
	return best, nil
}

// Resolve validates values found under the DHT key, skipping invalid ones,
// and returns the best record by Select's order and the distinct other
// accounts that also claim the name, sorted by key. A non-empty others means
// the name is contested: see the package documentation. It returns
// ErrNotFound if no value is valid.
func Resolve(values [][]byte, key string) (best Record, others []entry.Key, err error) {
	return Validator{}.Resolve(values, key)
}

// Resolve is like the package's Resolve, with v's clock.
func (v Validator) Resolve(values [][]byte, key string) (best Record, others []entry.Key, err error) {
	name, err := nameFromKey(key)
	if err != nil {
		return Record{}, nil, err
	}
	var claims []claim
	for _, value := range values {
		if r, err := v.validate(name, value); err == nil {
			claims = append(claims, claim{r, value})
		}
	}
	if len(claims) == 0 {
		return Record{}, nil, fmt.Errorf("%w: %s: none of %d values is valid", ErrNotFound, key, len(values))
	}
	b := slices.MinFunc(claims, func(a, b claim) int { return a.compare(&b) })
	for _, c := range claims {
		if c.Account != b.Account && !slices.Contains(others, c.Account) {
			others = append(others, c.Account)
		}
	}
	slices.SortFunc(others, func(a, b entry.Key) int { return bytes.Compare(a[:], b[:]) })
	return b.Record, others, nil
}

// claim is a decoded record with its encoding.
type claim struct {
	Record
	raw []byte
}

// compare orders claims best first: earliest Created, then smallest account
// key, then latest Updated, then smallest encoding. It is a total order on
// encodings.
func (c *claim) compare(d *claim) int {
	if n := cmp.Compare(c.Created, d.Created); n != 0 {
		return n
	}
	if n := bytes.Compare(c.Account[:], d.Account[:]); n != 0 {
		return n
	}
	if n := cmp.Compare(d.Updated, c.Updated); n != 0 {
		return n
	}
	return bytes.Compare(c.raw, d.raw)
}
