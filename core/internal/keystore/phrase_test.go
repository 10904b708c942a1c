package keystore

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/tyler-smith/go-bip39/wordlists"
)

func keyFromSeedHex(t testing.TB, s string) ed25519.PrivateKey {
	t.Helper()
	seed, err := hex.DecodeString(s)
	if err != nil || len(seed) != ed25519.SeedSize {
		t.Fatalf("bad test seed %q", s)
	}
	return ed25519.NewKeyFromSeed(seed)
}

func mustPhrase(t testing.TB, priv ed25519.PrivateKey) string {
	t.Helper()
	p, err := Phrase(priv)
	if err != nil {
		t.Fatalf("Phrase() error = %v", err)
	}
	return p
}

// The SHA-256 of english.txt in the BIP-39 specification
// (https://github.com/bitcoin/bips/blob/master/bip-0039/english.txt).
const englishSHA256 = "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"

func TestEnglishWordList(t *testing.T) {
	if n := len(wordlists.English); n != 2048 {
		t.Fatalf("len(wordlists.English) = %d, want 2048", n)
	}
	sum := sha256.Sum256([]byte(strings.Join(wordlists.English, "\n") + "\n"))
	if got := hex.EncodeToString(sum[:]); got != englishSHA256 {
		t.Errorf("SHA-256 of word list = %s, want %s", got, englishSHA256)
	}
}

// Test vectors from the BIP-39 reference implementation
// (trezor/python-mnemonic vectors.json), 256-bit entropy.
var phraseVectors = []struct {
	seed, phrase string
}{
	{
		strings.Repeat("00", 32),
		"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art",
	},
	{
		strings.Repeat("7f", 32),
		"legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title",
	},
	{
		strings.Repeat("80", 32),
		"letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless",
	},
	{
		strings.Repeat("ff", 32),
		"zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote",
	},
	{
		"68a79eaca2324873eacc50cb9c6eca8cc68ea5d936f98787c60c7ebc74e6ce7c",
		"hamster diagram private dutch cause delay private meat slide toddler razor book happy fancy gospel tennis maple dilemma loan word shrug inflict delay length",
	},
}

func TestPhraseVectors(t *testing.T) {
	for _, tt := range phraseVectors {
		t.Run(tt.seed[:8], func(t *testing.T) {
			priv := keyFromSeedHex(t, tt.seed)
			if got := mustPhrase(t, priv); got != tt.phrase {
				t.Errorf("Phrase() = %q, want %q", got, tt.phrase)
			}
			got, err := FromPhrase(tt.phrase)
			if err != nil {
				t.Fatalf("FromPhrase() error = %v", err)
			}
			if !got.Equal(priv) {
				t.Errorf("FromPhrase() seed = %x, want %s", got.Seed(), tt.seed)
			}
		})
	}
}

func TestPhraseRoundTrip(t *testing.T) {
	random := make([]byte, ed25519.SeedSize)
	rand.Read(random)
	tests := []struct {
		name string
		priv ed25519.PrivateKey
	}{
		{"all zero", testKey(0x00)},
		{"all ones", testKey(0xff)},
		{"repeated byte", testKey(1)},
		// Leading zero bytes must survive the big-integer arithmetic
		// inside the encoder.
		{"leading zeros", keyFromSeedHex(t, strings.Repeat("00", 31)+"01")},
		{"trailing zeros", keyFromSeedHex(t, "01"+strings.Repeat("00", 31))},
		{"random", ed25519.NewKeyFromSeed(random)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			phrase := mustPhrase(t, tt.priv)
			if n := len(strings.Fields(phrase)); n != PhraseWords {
				t.Errorf("Phrase() has %d words, want %d: %q", n, PhraseWords, phrase)
			}
			if phrase != strings.Join(strings.Fields(phrase), " ") || phrase != strings.ToLower(phrase) {
				t.Errorf("Phrase() = %q, want lowercase words separated by single spaces", phrase)
			}
			got, err := FromPhrase(phrase)
			if err != nil {
				t.Fatalf("FromPhrase() error = %v", err)
			}
			if !got.Equal(tt.priv) {
				t.Errorf("FromPhrase(Phrase(k)) = %x, want %x", got.Seed(), tt.priv.Seed())
			}
		})
	}
}

func TestFromPhraseTolerant(t *testing.T) {
	want := keyFromSeedHex(t, phraseVectors[1].seed)
	words := strings.Fields(phraseVectors[1].phrase)
	tests := []struct {
		name, phrase string
	}{
		{"upper case", strings.ToUpper(phraseVectors[1].phrase)},
		{"title case", strings.Join(append([]string{"Legal", "WINNER", "tHaNk"}, words[3:]...), " ")},
		{"surrounding space", "  \n\t" + phraseVectors[1].phrase + " \r\n"},
		{"double spaces", strings.Join(words, "  ")},
		{"one word a line", strings.Join(words, "\n")},
		{"windows lines", strings.Join(words, "\r\n")},
		{"tabs", strings.Join(words, "\t")},
		{"no-break spaces", strings.Join(words, "\u00a0")},
		{"six words a line", strings.Join(words[:6], " ") + "\n" + strings.Join(words[6:12], " ") + "\n" +
			strings.Join(words[12:18], " ") + "\n" + strings.Join(words[18:], " ")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromPhrase(tt.phrase)
			if err != nil {
				t.Fatalf("FromPhrase(%q) error = %v", tt.phrase, err)
			}
			if !got.Equal(want) {
				t.Errorf("FromPhrase(%q) = %x, want %x", tt.phrase, got.Seed(), want.Seed())
			}
		})
	}
}

func TestFromPhraseRejects(t *testing.T) {
	valid := phraseVectors[1].phrase
	words := strings.Fields(valid)
	with := func(i int, w string) string {
		ws := append([]string(nil), words...)
		ws[i] = w
		return strings.Join(ws, " ")
	}
	swapped := append([]string(nil), words...)
	swapped[0], swapped[1] = swapped[1], swapped[0]
	tests := []struct {
		name, phrase string
		want         string // in the error message
	}{
		{"empty", "", "0 words, want 24"},
		{"white space only", " \n\t ", "0 words, want 24"},
		{"23 words", strings.Join(words[:23], " "), "23 words, want 24"},
		{"25 words", valid + " zoo", "25 words, want 24"},
		{"12-word BIP-39 phrase", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", "12 words, want 24"},
		{"misspelt first word", with(0, "legall"), "word 1 is not"},
		{"misspelt word 5", with(4, "wavy"), "word 5 is not"},
		{"unknown last word", with(23, "skein"), "word 24 is not"},
		{"punctuation", with(10, "thank,"), "word 11 is not"},
		{"number", with(2, "3"), "word 3 is not"},
		{"accented", with(7, "usefül"), "word 8 is not"},
		{"wrong last word", with(23, "tired"), "checksum fails"},
		{"wrong middle word", with(12, "zoo"), "checksum fails"},
		{"all abandon", strings.Repeat("abandon ", 24), "checksum fails"},
		{"swapped words", strings.Join(swapped, " "), "checksum fails"},
		{"too long", valid + strings.Repeat(" ", maxPhraseLen), "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromPhrase(tt.phrase)
			if !errors.Is(err, ErrBadPhrase) {
				t.Fatalf("FromPhrase(%q) = %x, %v; want error %v", tt.phrase, got, err, ErrBadPhrase)
			}
			if got != nil {
				t.Errorf("FromPhrase(%q) = %x, want nil key", tt.phrase, got)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("FromPhrase(%q) error = %q, want it to contain %q", tt.phrase, err, tt.want)
			}
		})
	}
}

// Errors may be logged, so they must not repeat what the user typed.
func TestFromPhraseErrorHidesWords(t *testing.T) {
	words := strings.Fields(phraseVectors[4].phrase)
	words[3] = "dutchy"
	_, err := FromPhrase(strings.Join(words, " "))
	if err == nil {
		t.Fatal("FromPhrase(misspelt) error = nil")
	}
	for _, w := range []string{"dutchy", "dutch"} {
		if strings.Contains(err.Error(), w) {
			t.Errorf("FromPhrase(misspelt) error = %q, contains %q", err, w)
		}
	}
}

func TestPhraseRejectsBadKey(t *testing.T) {
	priv := testKey(1)
	badPub := bytes.Clone(priv)
	badPub[40] ^= 1
	tests := []struct {
		name string
		priv ed25519.PrivateKey
	}{
		{"nil", nil},
		{"seed only", priv.Seed()},
		{"too long", append(bytes.Clone(priv), 0)},
		{"mismatched public half", badPub},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := Phrase(tt.priv); err == nil || got != "" {
				t.Errorf("Phrase() = %q, %v; want an error", got, err)
			}
		})
	}
}

func FuzzFromPhrase(f *testing.F) {
	for _, v := range phraseVectors {
		f.Add(v.phrase)
		f.Add(strings.ToUpper(v.phrase))
	}
	f.Add("")
	f.Add(strings.Repeat("abandon ", 24))
	f.Add(strings.Repeat("abandon ", 23))
	f.Add("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	f.Add("ZOO\tzoo\nzoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote")
	f.Fuzz(func(t *testing.T, phrase string) {
		priv, err := FromPhrase(phrase)
		if err != nil {
			if !errors.Is(err, ErrBadPhrase) || priv != nil {
				t.Fatalf("FromPhrase() = %x, %v; want nil key and error %v", priv, err, ErrBadPhrase)
			}
			return
		}
		// An accepted phrase is the canonical phrase of the key it
		// decodes to, up to case and white space.
		if got, want := mustPhrase(t, priv), strings.Join(strings.Fields(strings.ToLower(phrase)), " "); got != want {
			t.Fatalf("Phrase(FromPhrase(%q)) = %q, want %q", phrase, got, want)
		}
	})
}
