package store

import "github.com/skein-p2p/skein/core/internal/entry"

// Authors returns the authors of the logs held, sorted by key.
func (s *Store) Authors() []entry.Key { return s.heldAuthors() }

// Names returns a copy of the device-wide name cache: key → name.
func (s *Store) Names() map[entry.Key]string {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	out := make(map[entry.Key]string, len(s.names))
	for k, name := range s.names {
		out[k] = name
	}
	return out
}
