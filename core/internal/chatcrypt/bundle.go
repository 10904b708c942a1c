package chatcrypt

import "fmt"

// Bundle limits.
const (
	// MaxBundle is the most epochs a history bundle carries.
	MaxBundle = 64
	// bundleItem is the size of one epoch in a bundle: ID and secret.
	bundleItem = EpochIDSize + SecretSize
)

// Epoch is an epoch secret and its ID, as carried in a history bundle.
type Epoch struct {
	ID     [EpochIDSize]byte
	Secret Secret
}

// EncodeBundle returns the history bundle of es: a count byte (0..MaxBundle)
// followed by count times ID(16) || secret(32), in the order given. Each
// ID must be its secret's ID, and no epoch may appear twice.
func EncodeBundle(es []Epoch) ([]byte, error) {
	if err := checkBundle(es); err != nil {
		return nil, err
	}
	b := make([]byte, 1, 1+len(es)*bundleItem)
	b[0] = byte(len(es))
	for _, e := range es {
		b = append(append(b, e.ID[:]...), e.Secret[:]...)
	}
	return b, nil
}

// DecodeBundle decodes a history bundle made by EncodeBundle and checks
// it the same way.
func DecodeBundle(b []byte) ([]Epoch, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty bundle", ErrMalformed)
	}
	n := int(b[0])
	if n > MaxBundle {
		return nil, fmt.Errorf("%w: bundle of %d epochs, limit %d", ErrMalformed, n, MaxBundle)
	}
	if len(b) != 1+n*bundleItem {
		return nil, fmt.Errorf("%w: bundle of %d epochs in %d bytes, want %d", ErrMalformed, n, len(b), 1+n*bundleItem)
	}
	es := make([]Epoch, n)
	for i := range es {
		p := b[1+i*bundleItem:]
		copy(es[i].ID[:], p[:EpochIDSize])
		copy(es[i].Secret[:], p[EpochIDSize:bundleItem])
	}
	if err := checkBundle(es); err != nil {
		return nil, err
	}
	return es, nil
}

func checkBundle(es []Epoch) error {
	if len(es) > MaxBundle {
		return fmt.Errorf("%w: bundle of %d epochs, limit %d", ErrMalformed, len(es), MaxBundle)
	}
	seen := make(map[[EpochIDSize]byte]bool, len(es))
	for i, e := range es {
		if e.Secret.ID() != e.ID {
			return fmt.Errorf("%w: bundle epoch %d: ID %x is not its secret's", ErrMalformed, i, e.ID)
		}
		if seen[e.ID] {
			return fmt.Errorf("%w: bundle epoch %d: %x appears twice", ErrMalformed, i, e.ID)
		}
		seen[e.ID] = true
	}
	return nil
}
