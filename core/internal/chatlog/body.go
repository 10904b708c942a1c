package chatlog

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// Body tags, in the order they must appear.
const (
	tagFlags    = 1
	tagTarget   = 2
	tagRole     = 3
	tagExpires  = 4
	tagUpto     = 5
	tagInvite   = 6
	tagMembers  = 7
	tagName     = 8
	tagNewEpoch = 9
	tagWraps    = 10
	tagSealed   = 11
	tagSalt     = 12
	lastTag     = tagSalt
)

// Wrap is an epoch secret sealed to one recipient's prekey with HPKE.
// Its encoding is the four fields in order, WrapSize bytes.
type Wrap struct {
	Recipient entry.Key
	// PrekeyID names the recipient's prekey the secret is sealed to.
	PrekeyID [8]byte
	// Enc is the HPKE encapsulated key.
	Enc [32]byte
	// Sealed is the 32-byte epoch secret and the 16-byte AEAD tag.
	Sealed [48]byte
}

// Body is the body of a control entry (kinds 1 to 8). A field is encoded
// iff it is not zero, so each Body has one encoding; which fields each
// kind requires or forbids is in the package documentation.
type Body struct {
	// Flags are the group's settings (create).
	Flags Flags
	// Target is the account an invite, remove or role is about.
	Target entry.Key
	// Role is the role an invite or role entry gives Target.
	Role Role
	// Expires is when an invite expires, in Unix milliseconds; after the
	// entry's time.
	Expires uint64
	// Upto is, in a remove, the highest seq of Target's sub-log the remover
	// had delivered; 0 (left out) if none.
	Upto uint64
	// Invite is, in a join, the ID of the invite the join accepts; zero
	// for joining a public group.
	Invite ID
	// Members are the two accounts of a DM, ascending (create).
	Members []entry.Key
	// Name is a public group's name (create, meta).
	Name string
	// NewEpoch is the epoch whose secret Wraps carry (create, invite,
	// remove, rekey); the entry's Epoch then equals it.
	NewEpoch EpochID
	// Wraps seal an epoch secret to each recipient, ascending by
	// recipient.
	Wraps []Wrap
	// Sealed is ciphertext under the entry's Epoch: a private group's
	// name (create, meta) or a history bundle (create, invite, remove,
	// rekey).
	Sealed []byte
	// Salt makes a non-DM group's ID (create only, required there): the
	// ID is GroupFor(author, Salt), so nobody else can create it.
	Salt [SaltSize]byte
}

// SaltSize is the size of a create's salt.
const SaltSize = 16

// present returns the set of b's non-zero fields, bit i for tag i.
func (b *Body) present() uint16 {
	var m uint16
	set := func(tag int, ok bool) {
		if ok {
			m |= 1 << tag
		}
	}
	set(tagFlags, b.Flags != 0)
	set(tagTarget, !b.Target.IsZero())
	set(tagRole, b.Role != 0)
	set(tagExpires, b.Expires != 0)
	set(tagUpto, b.Upto != 0)
	set(tagInvite, !b.Invite.IsZero())
	set(tagMembers, len(b.Members) > 0)
	set(tagName, b.Name != "")
	set(tagNewEpoch, !b.NewEpoch.IsZero())
	set(tagWraps, len(b.Wraps) > 0)
	set(tagSealed, len(b.Sealed) > 0)
	set(tagSalt, b.Salt != [SaltSize]byte{})
	return m
}

// Encode returns b's canonical encoding: its non-zero fields in tag order.
// It does not check b; Sign checks the entry it goes into.
func (b *Body) Encode() []byte {
	out := make([]byte, 0, 64+len(b.Name)+32*len(b.Members)+WrapSize*len(b.Wraps)+len(b.Sealed))
	if b.Flags != 0 {
		out = appendField(out, tagFlags, []byte{byte(b.Flags)})
	}
	if !b.Target.IsZero() {
		out = appendField(out, tagTarget, b.Target[:])
	}
	if b.Role != 0 {
		out = appendField(out, tagRole, []byte{byte(b.Role)})
	}
	if b.Expires != 0 {
		out = appendField(out, tagExpires, binary.BigEndian.AppendUint64(nil, b.Expires))
	}
	if b.Upto != 0 {
		out = appendField(out, tagUpto, binary.BigEndian.AppendUint64(nil, b.Upto))
	}
	if !b.Invite.IsZero() {
		out = appendField(out, tagInvite, b.Invite[:])
	}
	if len(b.Members) > 0 {
		out = append(out, tagMembers)
		out = binary.AppendUvarint(out, uint64(32*len(b.Members)))
		for _, k := range b.Members {
			out = append(out, k[:]...)
		}
	}
	if b.Name != "" {
		out = appendField(out, tagName, []byte(b.Name))
	}
	if !b.NewEpoch.IsZero() {
		out = appendField(out, tagNewEpoch, b.NewEpoch[:])
	}
	if len(b.Wraps) > 0 {
		out = append(out, tagWraps)
		out = binary.AppendUvarint(out, uint64(WrapSize*len(b.Wraps)))
		for i := range b.Wraps {
			out = b.Wraps[i].appendTo(out)
		}
	}
	if len(b.Sealed) > 0 {
		out = appendField(out, tagSealed, b.Sealed)
	}
	if b.Salt != [SaltSize]byte{} {
		out = appendField(out, tagSalt, b.Salt[:])
	}
	return out
}

func (w *Wrap) appendTo(b []byte) []byte {
	b = append(b, w.Recipient[:]...)
	b = append(b, w.PrekeyID[:]...)
	b = append(b, w.Enc[:]...)
	return append(b, w.Sealed[:]...)
}

// parseBody decodes b's TLV structure, without the per-kind rules.
func parseBody(b []byte) (*Body, error) {
	if len(b) > MaxBody {
		return nil, fmt.Errorf("%w: body of %d bytes, limit %d", ErrTooLarge, len(b), MaxBody)
	}
	body := &Body{}
	r := tlvReader{b: b}
	for {
		tag, val, done, err := r.next()
		if err != nil {
			return nil, err
		}
		if done {
			return body, nil
		}
		if err := body.setField(tag, val); err != nil {
			return nil, err
		}
	}
}

// setField decodes one field's value into b.
func (b *Body) setField(tag byte, val []byte) error {
	switch tag {
	case tagFlags:
		if err := fixed(tag, val, 1); err != nil {
			return err
		}
		b.Flags = Flags(val[0])
	case tagTarget:
		if err := fixed(tag, val, len(b.Target)); err != nil {
			return err
		}
		copy(b.Target[:], val)
	case tagRole:
		if err := fixed(tag, val, 1); err != nil {
			return err
		}
		b.Role = Role(val[0])
	case tagExpires:
		if err := fixed(tag, val, 8); err != nil {
			return err
		}
		b.Expires = binary.BigEndian.Uint64(val)
	case tagUpto:
		if err := fixed(tag, val, 8); err != nil {
			return err
		}
		b.Upto = binary.BigEndian.Uint64(val)
	case tagInvite:
		if err := fixed(tag, val, len(b.Invite)); err != nil {
			return err
		}
		copy(b.Invite[:], val)
	case tagMembers:
		if len(val) == 0 || len(val)%32 != 0 {
			return fmt.Errorf("%w: members field of %d bytes, want a non-zero multiple of 32", ErrMalformed, len(val))
		}
		b.Members = make([]entry.Key, len(val)/32)
		for i := range b.Members {
			copy(b.Members[i][:], val[32*i:])
		}
	case tagName:
		if len(val) == 0 {
			return fmt.Errorf("%w: empty name field must be left out", ErrMalformed)
		}
		b.Name = string(val)
	case tagNewEpoch:
		if err := fixed(tag, val, len(b.NewEpoch)); err != nil {
			return err
		}
		copy(b.NewEpoch[:], val)
	case tagWraps:
		return b.setWraps(val)
	case tagSealed:
		if len(val) == 0 {
			return fmt.Errorf("%w: empty sealed field must be left out", ErrMalformed)
		}
		b.Sealed = bytes.Clone(val)
	case tagSalt:
		if err := fixed(tag, val, SaltSize); err != nil {
			return err
		}
		copy(b.Salt[:], val)
	default:
		return fmt.Errorf("%w: unknown body tag %d", ErrMalformed, tag)
	}
	return nil
}

func (b *Body) setWraps(val []byte) error {
	if len(val) == 0 || len(val)%WrapSize != 0 {
		return fmt.Errorf("%w: wraps field of %d bytes, want a non-zero multiple of %d", ErrMalformed, len(val), WrapSize)
	}
	n := len(val) / WrapSize
	if n > MaxWraps {
		return fmt.Errorf("%w: %d wraps, limit %d", ErrTooLarge, n, MaxWraps)
	}
	b.Wraps = make([]Wrap, n)
	for i := range b.Wraps {
		w, v := &b.Wraps[i], val[WrapSize*i:]
		copy(w.Recipient[:], v[0:32])
		copy(w.PrekeyID[:], v[32:40])
		copy(w.Enc[:], v[40:72])
		copy(w.Sealed[:], v[72:120])
		if i > 0 && bytes.Compare(b.Wraps[i-1].Recipient[:], w.Recipient[:]) >= 0 {
			return fmt.Errorf("%w: wrap recipients are not strictly ascending", ErrMalformed)
		}
	}
	return nil
}

// Field sets for the per-kind rules.
const (
	fFlags    uint16 = 1 << tagFlags
	fTarget   uint16 = 1 << tagTarget
	fRole     uint16 = 1 << tagRole
	fExpires  uint16 = 1 << tagExpires
	fUpto     uint16 = 1 << tagUpto
	fInvite   uint16 = 1 << tagInvite
	fMembers  uint16 = 1 << tagMembers
	fName     uint16 = 1 << tagName
	fNewEpoch uint16 = 1 << tagNewEpoch
	fWraps    uint16 = 1 << tagWraps
	fSealed   uint16 = 1 << tagSealed
	fSalt     uint16 = 1 << tagSalt
)

var fieldNames = [...]string{"", "flags", "target", "role", "expires", "upto", "invite", "members", "name", "new epoch", "wraps", "sealed", "salt"}

// need checks that the fields present in have are exactly the required
// ones plus any of the optional ones.
func need(k Kind, have, required, optional uint16) error {
	for tag := 1; tag <= lastTag; tag++ {
		bit := uint16(1) << tag
		switch {
		case required&bit != 0 && have&bit == 0:
			return fmt.Errorf("%w: %v without its %s field", ErrInvalidBody, k, fieldNames[tag])
		case (required|optional)&bit == 0 && have&bit != 0:
			return fmt.Errorf("%w: %v with a %s field", ErrInvalidBody, k, fieldNames[tag])
		}
	}
	return nil
}

// DecodeBody decodes the body of a control entry of kind k and checks it
// against k's rules. epoch, seq and group are the entry's: epoch must name
// what the body seals (NewEpoch if set, zero if nothing is sealed), a
// create is seq 1, and a DM's group is DMGroup of its members. Rules that
// need the entry's time or author (an invite's expiry, a DM creator) are
// checked by Decode, Sign and Entry.Control.
func DecodeBody(k Kind, epoch EpochID, seq uint64, group GroupID, b []byte) (*Body, error) {
	if !k.known() {
		return nil, fmt.Errorf("%w: unknown kind %d", ErrMalformed, uint8(k))
	}
	if !k.Control() {
		return nil, fmt.Errorf("%w: a %v entry has no control body", ErrInvalidBody, k)
	}
	body, err := parseBody(b)
	if err != nil {
		return nil, err
	}
	if err := body.check(k, epoch, seq, group); err != nil {
		return nil, err
	}
	return body, nil
}

// check applies kind k's rules to b.
func (b *Body) check(k Kind, epoch EpochID, seq uint64, group GroupID) error {
	have := b.present()
	var err error
	switch k {
	case KindCreate:
		err = b.checkCreate(have, epoch, seq, group)
	case KindInvite:
		err = b.checkInvite(have, epoch)
	case KindJoin:
		err = need(k, have, 0, fInvite)
		if err == nil {
			err = sealedUnder(k, epoch, EpochID{})
		}
	case KindLeave:
		err = need(k, have, 0, 0)
		if err == nil {
			err = sealedUnder(k, epoch, EpochID{})
		}
	case KindRemove:
		err = need(k, have, fTarget, fUpto|fNewEpoch|fWraps|fSealed)
		if err == nil {
			err = b.checkNewEpoch(k, have, epoch)
		}
	case KindRole:
		err = need(k, have, fTarget|fRole, 0)
		if err == nil {
			err = b.checkRole(k)
		}
		if err == nil {
			err = sealedUnder(k, epoch, EpochID{})
		}
	case KindMeta:
		err = b.checkMeta(have, epoch)
	case KindRekey:
		err = need(k, have, fNewEpoch|fWraps, fSealed)
		if err == nil {
			err = b.checkNewEpoch(k, have, epoch)
		}
	}
	return err
}

// sealedUnder checks that the entry's epoch is want.
func sealedUnder(k Kind, epoch, want EpochID) error {
	if epoch != want {
		if want.IsZero() {
			return fmt.Errorf("%w: %v seals nothing but names epoch %v", ErrInvalidBody, k, epoch)
		}
		return fmt.Errorf("%w: %v names epoch %v, want its new epoch %v", ErrInvalidBody, k, epoch, want)
	}
	return nil
}

// checkNewEpoch checks NewEpoch, Wraps and Sealed together: Wraps come
// with NewEpoch and only with it, Sealed only with NewEpoch, and the entry
// is sealed under NewEpoch (or nothing).
func (b *Body) checkNewEpoch(k Kind, have uint16, epoch EpochID) error {
	switch {
	case have&fNewEpoch != 0 && have&fWraps == 0:
		return fmt.Errorf("%w: %v with a new epoch but no wraps", ErrInvalidBody, k)
	case have&fNewEpoch == 0 && have&fWraps != 0:
		return fmt.Errorf("%w: %v with wraps but no new epoch", ErrInvalidBody, k)
	case have&fNewEpoch == 0 && have&fSealed != 0:
		return fmt.Errorf("%w: %v with a sealed field but no new epoch", ErrInvalidBody, k)
	}
	for i := range b.Wraps {
		if b.Wraps[i].Recipient.IsZero() {
			return fmt.Errorf("%w: %v has a wrap for the zero key", ErrInvalidBody, k)
		}
	}
	return sealedUnder(k, epoch, b.NewEpoch)
}

func (b *Body) checkRole(k Kind) error {
	if b.Role != RoleMember && b.Role != RoleAdmin {
		return fmt.Errorf("%w: %v with unknown role %d", ErrInvalidBody, k, uint8(b.Role))
	}
	return nil
}

func (b *Body) checkCreate(have uint16, epoch EpochID, seq uint64, group GroupID) error {
	const k = KindCreate
	if seq != 1 {
		return fmt.Errorf("%w: create at seq %d, want 1", ErrInvalidBody, seq)
	}
	if b.Flags&^allFlags != 0 {
		return fmt.Errorf("%w: create with unknown flags %#x", ErrInvalidBody, uint8(b.Flags&^allFlags))
	}
	switch {
	case b.Flags&FlagPublic != 0 && b.Flags&FlagDM != 0:
		return fmt.Errorf("%w: create of a group both public and DM", ErrInvalidBody)
	case b.Flags&FlagPublic != 0:
		if err := need(k, have, fFlags|fName|fSalt, 0); err != nil {
			return err
		}
		if err := CheckName(b.Name); err != nil {
			return err
		}
		return sealedUnder(k, epoch, EpochID{})
	case b.Flags&FlagDM != 0:
		if err := need(k, have, fFlags|fMembers|fNewEpoch|fWraps, 0); err != nil {
			return err
		}
		m := b.Members
		if len(m) != 2 || bytes.Compare(m[0][:], m[1][:]) >= 0 || m[0].IsZero() {
			return fmt.Errorf("%w: a DM has exactly two distinct members, ascending", ErrInvalidBody)
		}
		if DMGroup(m[0], m[1]) != group {
			return fmt.Errorf("%w: DM group ID %s is not the one of its members", ErrInvalidBody, group.Short())
		}
		if len(b.Wraps) > 2 {
			return fmt.Errorf("%w: DM create with %d wraps, at most 2", ErrInvalidBody, len(b.Wraps))
		}
		for i := range b.Wraps {
			if r := b.Wraps[i].Recipient; r != m[0] && r != m[1] {
				return fmt.Errorf("%w: DM create wraps for %s, not a member", ErrInvalidBody, r.Short())
			}
		}
		return b.checkNewEpoch(k, have, epoch)
	default:
		if err := need(k, have, fNewEpoch|fWraps|fSealed|fSalt, fFlags); err != nil {
			return err
		}
		return b.checkNewEpoch(k, have, epoch)
	}
}

func (b *Body) checkInvite(have uint16, epoch EpochID) error {
	const k = KindInvite
	switch {
	case have&fNewEpoch != 0: // policy joined: a new epoch for everyone
		if err := need(k, have, fTarget|fRole|fExpires|fNewEpoch|fWraps, fSealed); err != nil {
			return err
		}
		if err := b.checkNewEpoch(k, have, epoch); err != nil {
			return err
		}
		if !b.wrapsFor(b.Target) {
			return fmt.Errorf("%w: invite with a new epoch but no wrap for its target", ErrInvalidBody)
		}
	case have&fWraps != 0: // history shared: the current epoch for the target
		if err := need(k, have, fTarget|fRole|fExpires|fWraps, 0); err != nil {
			return err
		}
		if len(b.Wraps) != 1 || b.Wraps[0].Recipient != b.Target {
			return fmt.Errorf("%w: invite sharing the current epoch must wrap it once, for its target", ErrInvalidBody)
		}
		if epoch.IsZero() {
			return fmt.Errorf("%w: invite wraps the current epoch but does not name it", ErrInvalidBody)
		}
	default: // public group
		if err := need(k, have, fTarget|fRole|fExpires, 0); err != nil {
			return err
		}
		if err := sealedUnder(k, epoch, EpochID{}); err != nil {
			return err
		}
	}
	return b.checkRole(k)
}

func (b *Body) wrapsFor(k entry.Key) bool {
	for i := range b.Wraps {
		if b.Wraps[i].Recipient == k {
			return true
		}
	}
	return false
}

func (b *Body) checkMeta(have uint16, epoch EpochID) error {
	const k = KindMeta
	switch {
	case have&fName != 0:
		if err := need(k, have, fName, 0); err != nil {
			return err
		}
		if err := CheckName(b.Name); err != nil {
			return err
		}
		return sealedUnder(k, epoch, EpochID{})
	case have&fSealed != 0:
		if err := need(k, have, fSealed, 0); err != nil {
			return err
		}
		if epoch.IsZero() {
			return fmt.Errorf("%w: sealed meta names no epoch", ErrInvalidBody)
		}
		return nil
	}
	return fmt.Errorf("%w: meta needs a name or a sealed field", ErrInvalidBody)
}
