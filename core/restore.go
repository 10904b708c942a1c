package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/keystore"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/store"
)

// restoreRetry is how often a restoring session tries again to fetch its
// own log while it is not complete.
const restoreRetry = 10 * time.Second

// ExportPhrase returns the logged-in account's recovery phrase: 24 words
// that restore the account on another device with RestorePhrase. Anyone
// holding them holds the account. password must be the account's.
func (n *Node) ExportPhrase(ctx context.Context, password string) (string, error) {
	sess, err := n.unlockAgain(password)
	if err != nil {
		return "", err
	}
	return keystore.Phrase(sess.priv)
}

// ExportKeyFile returns the logged-in account's key file: its name, claim
// time and key, still sealed with the account's password, for
// RestoreKeyFile on another device. password must be the account's.
func (n *Node) ExportKeyFile(ctx context.Context, password string) ([]byte, error) {
	sess, err := n.unlockAgain(password)
	if err != nil {
		return nil, err
	}
	acct, err := n.store.Account(sess.name)
	if err != nil {
		return nil, err
	}
	b := keystore.MarshalKeyFile(keystore.Export{Name: acct.Name, Created: acct.Created, Secret: acct.Secret})
	if b == nil {
		return nil, fmt.Errorf("core: the stored key of %s cannot be exported: it is damaged", acct.Name)
	}
	return b, nil
}

// unlockAgain checks password against the logged-in account's key file,
// so that exporting the secret needs the password even in a session.
func (n *Node) unlockAgain(password string) (*session, error) {
	sess, err := n.requireSession()
	if err != nil {
		return nil, err
	}
	acct, err := n.store.Account(sess.name)
	if err != nil {
		return nil, err
	}
	if _, err := keystore.Open(acct.Secret, password); errors.Is(err, keystore.ErrWrongPassword) {
		return nil, fmt.Errorf("%w for %s", ErrWrongPassword, sess.name)
	} else if err != nil {
		return nil, err
	}
	return sess, nil
}

// RestorePhrase restores the account name on this device from its recovery
// phrase, protecting it here with password, and logs in. The name's record
// must be found in the network (it says when the name was claimed, which
// the new device keeps). See Restoring for what follows.
func (n *Node) RestorePhrase(ctx context.Context, name, phrase, password string) (User, error) {
	if err := entry.ValidName(name); err != nil {
		return User{}, err
	}
	priv, err := keystore.FromPhrase(phrase)
	if err != nil {
		return User{}, fmt.Errorf("%w: %w", ErrBadSecret, err)
	}
	res, err := n.lookupName(ctx, name)
	if errors.Is(err, ErrUnknownName) {
		return User{}, fmt.Errorf("%w: restoring from a phrase needs the name's record; is the network reachable?", err)
	} else if err != nil && !errors.Is(err, ErrNameConflict) {
		return User{}, err
	}
	rec, err := ownClaim(res, err, name, keyOf(priv), "phrase")
	if err != nil {
		return User{}, err
	}
	return n.restore(ctx, name, priv, time.UnixMilli(int64(rec.Created)).UTC(), password, &rec)
}

// RestoreKeyFile restores an account on this device from a key file made by
// ExportKeyFile: password must be the one the file was sealed with, and
// stays the account's password here. It logs in; see Restoring.
func (n *Node) RestoreKeyFile(ctx context.Context, keyFile []byte, password string) (User, error) {
	x, err := keystore.ParseKeyFile(keyFile)
	if err != nil {
		return User{}, fmt.Errorf("%w: %w", ErrBadSecret, err)
	}
	priv, err := keystore.Open(x.Secret, password)
	if errors.Is(err, keystore.ErrWrongPassword) {
		return User{}, fmt.Errorf("%w for the key file of %s", ErrWrongPassword, x.Name)
	} else if err != nil {
		return User{}, fmt.Errorf("%w: %w", ErrBadSecret, err)
	}
	var rec *names.Record
	switch res, err := n.lookupName(ctx, x.Name); {
	case err == nil || errors.Is(err, ErrNameConflict):
		r, err := ownClaim(res, err, x.Name, keyOf(priv), "key file")
		if err != nil {
			return User{}, err
		}
		rec = &r
	case !unclaimed(err):
		return User{}, err
	}
	return n.restore(ctx, x.Name, priv, x.Created, password, rec)
}

// ownClaim returns the record of account, restored from a secret of the
// kind what, among what a lookup of name found: the record the lookup
// decided on if it is the account's, or the account's claim when the
// lookup found a conflict (the account's republication then asserts it).
// Otherwise the name is another key's: ErrNameTaken.
func ownClaim(res names.Resolution, lookupErr error, name string, account entry.Key, what string) (names.Record, error) {
	if lookupErr == nil && res.Record.Account != account {
		return names.Record{}, fmt.Errorf("%w: %s belongs to key %s, not to this %s's", ErrNameTaken, name, res.Record.Account.Short(), what)
	}
	r, ok := res.Claim(account)
	if !ok {
		return names.Record{}, fmt.Errorf("%w: %s is claimed by other keys, not by this %s's", ErrNameTaken, name, what)
	}
	return r, nil
}

// restore stores the account and logs in, in restoring mode: until the
// account's own log has been fetched back from the devices holding it, new
// entries are refused, so that the log continues without a fork.
func (n *Node) restore(ctx context.Context, name string, priv []byte, created time.Time, password string, rec *names.Record) (User, error) {
	if err := n.alive(); err != nil {
		return User{}, err
	}
	if n.session() != nil {
		return User{}, ErrLoggedIn
	}
	blob, err := keystore.Seal(priv, password, n.kdf)
	if err != nil {
		return User{}, err
	}
	key := keyOf(priv)
	acct := store.Account{Name: name, Key: key, Secret: blob, Created: created}
	if err := n.store.PutAccount(acct); errors.Is(err, store.ErrExists) {
		return User{}, fmt.Errorf("%w: %s", ErrAccountExists, name)
	} else if err != nil {
		return User{}, err
	}
	if err := n.store.PutName(key, name); err != nil {
		return User{}, err
	}
	n.indexName(key, name)
	if rec != nil {
		if _, err := n.learnRecord(*rec); err != nil {
			return User{}, err
		}
		if err := n.keepWork(key, name, rec.Nonce); err != nil { // the claim's work, done once
			return User{}, err
		}
	}
	sess, err := n.login(acct, priv)
	if err != nil {
		return User{}, err
	}
	sess.restoring.Store(true)
	n.goSession(sess, func(ctx context.Context) { n.fetchOwnLog(ctx, sess) })
	n.log.Info("restoring", "name", name, "key", key.Short())
	return User{Name: name, Key: key.String()}, nil
}

// fetchOwnLog pulls the session's own log from the old device and every
// other holder until it reaches the latest seq the network announced, then
// ends restoring mode.
func (n *Node) fetchOwnLog(ctx context.Context, sess *session) {
	for attempt := 1; ; attempt++ {
		// The old device and the announced holders; an answer from any of
		// them is an answer about this log. Then every connected peer,
		// which may hold it without having announced it. Every one is
		// asked: the announced seq may lag behind the last entries.
		var sources []peer.ID
		if p, ok := n.deviceOf(sess.key); ok && p != n.host.ID() {
			sources = append(sources, p)
		}
		sources = append(sources, n.findHolders(ctx, sess.key)...)
		answered := false
		for _, p := range sources {
			if _, err := n.syncPeer(ctx, p, []entry.Key{sess.key}); err == nil {
				answered = true
			}
		}
		for _, p := range n.host.Network().Peers() {
			if !slices.Contains(sources, p) {
				n.syncPeer(ctx, p, []entry.Key{sess.key})
			}
		}
		known, _ := n.store.Known(sess.key)
		// Done when the log reaches what was announced (which it can only
		// have got from someone who answered); an account that announced
		// nothing is done once a source answered, or, if there is no
		// source at all, after a few attempts. While announced holders
		// exist but none answers, it waits for them: finishing early could
		// fork the log.
		h, _ := n.store.Head(sess.key)
		if known > 0 && h.Seq >= known || known == 0 && (answered || len(sources) == 0 && attempt >= 3) {
			sess.restoring.Store(false)
			n.log.Info("restored", "name", sess.name, "entries", h.Seq)
			n.publishName(ctx, sess)
			// The follows came back with the log; now their logs.
			n.locateFollowed(ctx, sess)
			n.syncAll(ctx)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(restoreRetry):
		}
	}
}
