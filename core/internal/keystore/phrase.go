package keystore

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/tyler-smith/go-bip39"
	"github.com/tyler-smith/go-bip39/wordlists"
)

// PhraseWords is the number of words in a recovery phrase.
const PhraseWords = 24

// maxPhraseLen bounds the input FromPhrase reads: 24 words of at most 8
// letters leave ample room for stray white space.
const maxPhraseLen = 1024

// englishWords is the set of words in the BIP-39 English word list. It is
// built from wordlists.English rather than read through bip39.GetWordIndex so
// that FromPhrase checks words against English whatever bip39's package-wide
// list is.
var englishWords = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, len(wordlists.English))
	for _, w := range wordlists.English {
		m[w] = true
	}
	return m
})

// Phrase returns priv's recovery phrase: 24 lowercase words of the BIP-39
// English word list, separated by single spaces, that encode priv's 32-byte
// seed as BIP-39 entropy (see the package documentation). FromPhrase turns
// the phrase back into priv.
func Phrase(priv ed25519.PrivateKey) (string, error) {
	seed, err := checkedSeed(priv)
	if err != nil {
		return "", err
	}
	defer clear(seed)
	phrase, err := bip39.NewMnemonic(seed)
	if err != nil {
		return "", fmt.Errorf("keystore: encoding recovery phrase: %v", err) // unreachable: the seed is 256 bits
	}
	// A phrase that does not restore the key loses the account for good,
	// so check it before anyone writes it down.
	if back, err := FromPhrase(phrase); err != nil || !back.Equal(priv) {
		return "", errors.New("keystore: recovery phrase does not decode to the key")
	}
	return phrase, nil
}

// FromPhrase returns the private key whose recovery phrase is phrase. Words
// may be in any case and separated by any white space, including line breaks.
// It returns an error wrapping ErrBadPhrase if phrase does not have 24 words,
// if a word is not in the BIP-39 English word list (the error gives its
// position), or if the checksum fails, which means a word is wrong or out of
// place.
func FromPhrase(phrase string) (ed25519.PrivateKey, error) {
	if len(phrase) > maxPhraseLen {
		return nil, fmt.Errorf("%w: %d bytes is too long for %d words", ErrBadPhrase, len(phrase), PhraseWords)
	}
	words := strings.Fields(strings.ToLower(phrase))
	if len(words) != PhraseWords {
		return nil, fmt.Errorf("%w: %d words, want %d: check for a missing or extra word", ErrBadPhrase, len(words), PhraseWords)
	}
	english := englishWords()
	for i, w := range words {
		// The word is not repeated in the error: a misspelt word is most
		// of a secret word, and errors end up in logs.
		if !english[w] {
			return nil, fmt.Errorf("%w: word %d is not in the BIP-39 English word list: check its spelling", ErrBadPhrase, i+1)
		}
	}
	seed, err := bip39.EntropyFromMnemonic(strings.Join(words, " "))
	switch {
	case errors.Is(err, bip39.ErrChecksumIncorrect):
		return nil, fmt.Errorf("%w: checksum fails: a word is wrong or out of place; compare each word with your copy", ErrBadPhrase)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrBadPhrase, err)
	}
	defer clear(seed)
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: decodes to %d bytes, want %d", ErrBadPhrase, len(seed), ed25519.SeedSize) // unreachable: 24 words are 256 bits
	}
	return ed25519.NewKeyFromSeed(seed), nil
}
