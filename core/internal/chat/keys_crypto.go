package chat

import (
	"bytes"
	"fmt"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Prekey lifetimes.
const (
	prekeyRotate   = 7 * 24 * time.Hour  // a new own prekey after this
	prekeyLifetime = 30 * 24 * time.Hour // a record's Expires - Created
	prekeyKeep     = 30 * 24 * time.Hour // private keys kept after rotation
	epochMaxAge    = 7 * 24 * time.Hour
)

// Sealing labels (chatcrypt.SealWith).
const (
	labelMeta   = "meta"
	labelBundle = "bundle"
)

// OwnPrekey returns Self's current prekey record, creating it on first
// use and rotating it after 7 days; private keys are kept 30 days after
// rotation, then deleted.
func (e *Engine) OwnPrekey() (*chatcrypt.PrekeyRecord, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ownPrekey()
}

func (e *Engine) ownPrekey() (*chatcrypt.PrekeyRecord, error) {
	if e.self == nil {
		return nil, fmt.Errorf("chat: a keyless engine has no prekey")
	}
	now := e.now()
	if v, err := e.kv.Get([]byte{tOwnPrekey}); err == nil {
		r, err := chatcrypt.ParsePrekey(v, time.Time{})
		if err == nil && now.Sub(time.UnixMilli(int64(r.Created))) < prekeyRotate {
			return r, nil
		}
	} else if !isNotFound(err) {
		return nil, fmt.Errorf("chat: %w", err)
	}
	p, err := chatcrypt.NewPrekey()
	if err != nil {
		return nil, err
	}
	r, err := chatcrypt.SignPrekey(e.self.Priv, p.Public, now, now.Add(prekeyLifetime))
	if err != nil {
		return nil, err
	}
	var b store.Batch
	id := p.ID()
	b.Put(append([]byte{tPrivKey}, id[:]...), append(u64(uint64(now.UnixMilli())), p.MarshalPrivate()...))
	b.Put([]byte{tOwnPrekey}, r.Encode())
	// Delete private keys retired more than prekeyKeep ago.
	it := e.kv.Find([]byte{tPrivKey}, []byte{tPrivKey + 1}, false)
	for it.Next() {
		v := it.Value()
		if len(v) == 40 && now.Sub(time.UnixMilli(int64(be64(v)))) > prekeyRotate+prekeyKeep {
			b.Delete(bytes.Clone(it.Key()))
		}
	}
	it.Close()
	if err := e.kv.Commit(&b, true); err != nil {
		return nil, fmt.Errorf("chat: %w", err)
	}
	return r, nil
}

// privPrekey returns Self's private prekey of ID id, if still kept.
func (e *Engine) privPrekey(id [8]byte) (*chatcrypt.Prekey, bool) {
	v, err := e.kv.Get(append([]byte{tPrivKey}, id[:]...))
	if err != nil || len(v) != 40 {
		return nil, false
	}
	p, err := chatcrypt.ParsePrivate(v[8:])
	return p, err == nil
}

// PutPrekey keeps another account's prekey record after verifying it;
// the newest Created wins. The table is bounded (Limits.Prekeys): when
// full, the record created longest ago is dropped.
func (e *Engine) PutPrekey(r *chatcrypt.PrekeyRecord) error {
	if r == nil {
		return fmt.Errorf("chat: nil prekey record")
	}
	v, err := chatcrypt.ParsePrekey(r.Encode(), e.now())
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	acct := entry.Key(v.Account)
	if old, ok := e.prekeys[acct]; ok && old.Created >= v.Created {
		return nil
	}
	var b store.Batch
	if _, ok := e.prekeys[acct]; !ok && len(e.prekeys) >= e.lim.Prekeys {
		var oldest entry.Key
		first := true
		for k, o := range e.prekeys {
			if first || o.Created < e.prekeys[oldest].Created {
				oldest, first = k, false
			}
		}
		delete(e.prekeys, oldest)
		b.Delete(append([]byte{tPrekeys}, oldest[:]...))
	}
	b.Put(append([]byte{tPrekeys}, acct[:]...), v.Encode())
	if err := e.kv.Commit(&b, false); err != nil {
		return fmt.Errorf("chat: %w", err)
	}
	e.prekeys[acct] = v
	return nil
}

// Prekey returns the newest unexpired prekey record known for account
// (Self's own included).
func (e *Engine) Prekey(account entry.Key) (*chatcrypt.PrekeyRecord, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.self != nil && account == e.self.Key {
		r, err := e.ownPrekey()
		return r, err == nil
	}
	r, ok := e.prekeys[account]
	if !ok || r.Expired(e.now()) {
		return nil, false
	}
	c := *r
	return &c, true
}

// prekeysFor returns a prekey record for each account, from the table or
// from keys (then verified and kept). Call without mu held.
func (e *Engine) prekeysFor(keys KeyFunc, accounts []entry.Key) (map[entry.Key]*chatcrypt.PrekeyRecord, error) {
	out := make(map[entry.Key]*chatcrypt.PrekeyRecord, len(accounts))
	for _, a := range accounts {
		if r, ok := e.Prekey(a); ok {
			out[a] = r
			continue
		}
		if keys == nil {
			return nil, fmt.Errorf("%w: %s", ErrNoKey, a.Short())
		}
		r, err := keys(a)
		if err != nil || r == nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrNoKey, a.Short(), err)
		}
		if entry.Key(r.Account) != a {
			return nil, fmt.Errorf("%w: %s: record of another account", ErrNoKey, a.Short())
		}
		if err := e.PutPrekey(r); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrNoKey, a.Short(), err)
		}
		if r.Expired(e.now()) {
			return nil, fmt.Errorf("%w: %s: expired", ErrNoKey, a.Short())
		}
		out[a] = r
	}
	return out, nil
}

// decrypt opens a delivered Msg for Self, storing its plaintext (d row),
// or noting it for later (n row) when the epoch's secret is missing.
func (e *Engine) decrypt(g *group, en *chatlog.Entry, id chatlog.ID, b *store.Batch) (chatlog.Payload, bool) {
	var pt []byte
	if en.Epoch.IsZero() {
		pt = en.Body
	} else {
		s, ok := g.secrets[en.Epoch]
		if !ok {
			b.Put(groupKey(g.id, gUndec, en.Epoch[:], seqKey(en.Author, en.Seq)), id[:])
			e.stats.Undecryptable++
			return chatlog.Payload{}, false
		}
		var err error
		pt, err = e.chains.Open(s, en.Author, en.Seq, en.Header(), en.Body)
		if err != nil {
			e.stats.Undecryptable++
			return chatlog.Payload{}, false
		}
	}
	p, err := chatlog.DecodePayload(pt)
	if err != nil {
		e.stats.Undecryptable++
		return chatlog.Payload{}, false
	}
	b.Put(groupKey(g.id, gPlain, id[:]), pt)
	return p, true
}

// learnFrom unwraps the secrets en carries for Self. It reports whether
// en has a wrap for Self that does not open (to a prekey Self no longer
// holds, or garbage): that epoch is then broken for Self, and marked so.
func (e *Engine) learnFrom(g *group, en *chatlog.Entry) (broken bool) {
	body, err := en.Control()
	if err != nil {
		return false
	}
	ep := body.NewEpoch
	if ep.IsZero() {
		ep = en.Epoch
	}
	for _, w := range body.Wraps {
		if w.Recipient != e.self.Key {
			continue
		}
		if _, ok := g.secrets[ep]; ok {
			return false
		}
		p, ok := e.privPrekey(w.PrekeyID)
		if !ok {
			e.log.Debug("chat: wrap to a prekey no longer held", "group", g.id.Short())
			e.markBroken(g, ep)
			return true
		}
		s, err := chatcrypt.Unwrap(p, g.id, ep, w.Enc, w.Sealed)
		if err != nil || chatlog.EpochID(s.ID()) != ep {
			e.log.Debug("chat: wrap does not open", "group", g.id.Short(), "err", err)
			e.markBroken(g, ep)
			return true
		}
		e.learn(g, []chatcrypt.Epoch{{ID: ep, Secret: s}})
	}
	return false
}

// markBroken records that Self's wrap of epoch ep of g does not open.
func (e *Engine) markBroken(g *group, ep chatlog.EpochID) {
	if g.st.Broken == nil {
		g.st.Broken = make(map[string]bool)
	}
	if len(g.st.Broken) >= 64 {
		clear(g.st.Broken) // only the recent ones matter
	}
	g.st.Broken[hexID(ep[:])] = true
	e.saveState(g)
}

// learn keeps epoch secrets, opens the history bundles of the entries
// that introduced them, and decrypts the Msgs that waited for them.
func (e *Engine) learn(g *group, eps []chatcrypt.Epoch) {
	var fresh []chatlog.EpochID
	for len(eps) > 0 {
		ep := eps[0]
		eps = eps[1:]
		id := chatlog.EpochID(ep.ID)
		if _, ok := g.secrets[id]; ok || chatlog.EpochID(ep.Secret.ID()) != id {
			continue
		}
		g.secrets[id] = ep.Secret
		var b store.Batch
		b.Put(groupKey(g.id, gSecret, id[:]), ep.Secret[:])
		if err := e.kv.Commit(&b, true); err != nil {
			e.log.Warn("chat: keep epoch secret", "err", err)
		}
		fresh = append(fresh, id)
		for _, c := range g.ctl {
			if c.Epoch != id || (c.Kind != chatlog.KindRekey && c.Kind != chatlog.KindRemove && c.Kind != chatlog.KindInvite) {
				continue
			}
			body, err := c.Control()
			if err != nil || len(body.Sealed) == 0 || body.NewEpoch != id {
				continue
			}
			pt, err := chatcrypt.OpenWith(ep.Secret, labelBundle, c.Header(), body.Sealed)
			if err != nil {
				continue
			}
			more, err := chatcrypt.DecodeBundle(pt)
			if err == nil {
				eps = append(eps, more...)
			}
		}
	}
	for _, id := range fresh {
		e.redecrypt(g, id)
	}
}

// redecrypt opens the delivered Msgs of epoch ep that waited for its
// secret.
func (e *Engine) redecrypt(g *group, ep chatlog.EpochID) {
	var rows [][]byte
	_ = e.scan(g.id, gUndec, func(k, v []byte) error {
		if bytes.HasPrefix(k, ep[:]) && len(k) == 16+40 {
			rows = append(rows, bytes.Clone(k[16:]))
		}
		return nil
	})
	for _, sk := range rows {
		var b store.Batch
		b.Delete(groupKey(g.id, gUndec, ep[:], sk))
		raw, err := e.kv.Get(groupKey(g.id, gEntry, sk))
		if err == nil {
			if en, err := chatlog.DecodeStored(raw); err == nil {
				id := en.ID()
				if _, ok := e.decrypt(g, en, id, &b); ok {
					e.stats.Undecryptable--
					if m, ok, _ := e.metaOf(g.id, id); ok {
						m.flags &^= flagUndecrypt
						b.Put(groupKey(g.id, gIndex, id[:]), m.encode())
					}
				}
			}
		}
		if err := e.kv.Commit(&b, false); err != nil {
			e.log.Warn("chat: redecrypt", "err", err)
		}
	}
}

// openNames opens the sealed names of private groups' create and meta
// entries whose epoch secret Self holds.
func (e *Engine) openNames(g *group) {
	changed := false
	for _, c := range g.ctl {
		if c.Kind != chatlog.KindCreate && c.Kind != chatlog.KindMeta {
			continue
		}
		h := hexID(idBytes(c.ID()))
		if _, ok := g.st.Names[h]; ok {
			continue
		}
		s, ok := g.secrets[c.Epoch]
		if !ok {
			continue
		}
		body, err := c.Control()
		if err != nil || len(body.Sealed) == 0 {
			continue
		}
		pt, err := chatcrypt.OpenWith(s, labelMeta, c.Header(), body.Sealed)
		if err != nil || chatlog.CheckName(string(pt)) != nil {
			continue
		}
		if g.st.Names == nil {
			g.st.Names = make(map[string]string)
		}
		g.st.Names[h] = string(pt)
		changed = true
	}
	if changed {
		e.saveState(g)
	}
}

func idBytes(id chatlog.ID) []byte { return id[:] }

// name returns g's current name, if Self can read it.
func (e *Engine) name(g *group) string {
	f := g.fold
	if f.name != "" {
		return f.name
	}
	if n, ok := g.st.Names[hexID(idBytes(f.nameID))]; ok {
		return n
	}
	// The newest name Self can read.
	for i := len(g.ctl) - 1; i >= 0; i-- {
		c := g.ctl[i]
		if id := c.ID(); (c.Kind == chatlog.KindCreate || c.Kind == chatlog.KindMeta) && f.effective[id] {
			if n, ok := g.st.Names[hexID(id[:])]; ok {
				return n
			}
		}
	}
	return ""
}
