package keystore

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

// fast are cheap parameters so that tests run quickly; one test uses
// DefaultParams.
var fast = Params{Time: 1, MemoryKiB: 64, Threads: 1}

func testKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func mustSeal(t testing.TB, priv ed25519.PrivateKey, password string, p Params) []byte {
	t.Helper()
	blob, err := Seal(priv, password, p)
	if err != nil {
		t.Fatalf("Seal() error = %v", err)
	}
	return blob
}

// rechecksum returns b with its checksum recomputed, as a deliberate forger
// would.
func rechecksum(b []byte) []byte {
	b = bytes.Clone(b)
	sum := sha256.Sum256(b[:sealedEnd])
	copy(b[sealedEnd:], sum[:checksumSize])
	return b
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		password string
		p        Params
	}{
		{"ascii", "correct horse battery staple", fast},
		{"one char", "x", fast},
		{"unicode", "pâssw😀rd", fast},
		{"threads", "pw", Params{Time: 3, MemoryKiB: 256, Threads: 4}},
		{"long password", string(bytes.Repeat([]byte("a"), 10000)), fast},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			priv := testKey(byte(i + 1))
			blob := mustSeal(t, priv, tt.password, tt.p)
			if len(blob) != Size {
				t.Errorf("len(Seal()) = %d, want %d", len(blob), Size)
			}
			got, err := Open(blob, tt.password)
			if err != nil {
				t.Fatalf("Open() error = %v", err)
			}
			if !got.Equal(priv) {
				t.Errorf("Open() = %x, want %x", got, priv)
			}
		})
	}
}

func TestDefaultParams(t *testing.T) {
	priv := testKey(7)
	start := time.Now()
	blob := mustSeal(t, priv, "hunter2", DefaultParams)
	t.Logf("Seal(DefaultParams) took %v", time.Since(start))
	got, err := Open(blob, "hunter2")
	if err != nil {
		t.Fatalf("Open() error = %v", err)
	}
	if !got.Equal(priv) {
		t.Errorf("Open() = %x, want %x", got, priv)
	}
	if _, err := Open(blob, "hunter3"); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("Open(wrong password) error = %v, want %v", err, ErrWrongPassword)
	}
}

func TestNormalizedPassword(t *testing.T) {
	composed, decomposed := "caf\u00e9", "cafe\u0301"
	blob := mustSeal(t, testKey(1), composed, fast)
	if _, err := Open(blob, decomposed); err != nil {
		t.Errorf("Open(decomposed form) error = %v, want nil", err)
	}
}

func TestWrongPassword(t *testing.T) {
	blob := mustSeal(t, testKey(1), "secret", fast)
	for _, pw := range []string{"", "Secret", "secret ", "secre", "secret\x00"} {
		if _, err := Open(blob, pw); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("Open(%q) error = %v, want %v", pw, err, ErrWrongPassword)
		}
	}
}

func TestCorrupt(t *testing.T) {
	good := mustSeal(t, testKey(1), "secret", fast)
	flip := func(i int) func([]byte) []byte {
		return func(b []byte) []byte { b[i] ^= 0x01; return b }
	}
	setParams := func(p Params) func([]byte) []byte {
		return func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[offTime:], p.Time)
			binary.BigEndian.PutUint32(b[offMemory:], p.MemoryKiB)
			b[offThreads] = p.Threads
			return rechecksum(b)
		}
	}
	tests := []struct {
		name   string
		mangle func([]byte) []byte
		want   error
	}{
		{"empty", func([]byte) []byte { return nil }, ErrCorrupt},
		{"truncated by one", func(b []byte) []byte { return b[:len(b)-1] }, ErrCorrupt},
		{"truncated to header", func(b []byte) []byte { return b[:headerSize] }, ErrCorrupt},
		{"trailing byte", func(b []byte) []byte { return append(b, 0) }, ErrCorrupt},
		{"version", flip(0), ErrCorrupt},
		{"time", flip(offTime + 3), ErrCorrupt},
		{"memory", flip(offMemory + 2), ErrCorrupt},
		{"threads", flip(offThreads), ErrCorrupt},
		{"salt", flip(offSalt), ErrCorrupt},
		{"nonce", flip(offNonce + 5), ErrCorrupt},
		{"ciphertext", flip(headerSize), ErrCorrupt},
		{"tag", flip(sealedEnd - 1), ErrCorrupt},
		{"checksum", flip(Size - 1), ErrCorrupt},
		{"unknown version, rechecksummed", func(b []byte) []byte { b[0] = 2; return rechecksum(b) }, ErrCorrupt},
		// Bounds are checked before argon2 runs: these would otherwise
		// allocate up to 4 TiB or run for hours.
		{"memory over 1 GiB", setParams(Params{Time: 1, MemoryKiB: maxMemoryKiB + 1, Threads: 1}), ErrCorrupt},
		{"memory 4 TiB", setParams(Params{Time: 1, MemoryKiB: ^uint32(0), Threads: 1}), ErrCorrupt},
		{"time over 16", setParams(Params{Time: maxTime + 1, MemoryKiB: 64, Threads: 1}), ErrCorrupt},
		{"time max uint32", setParams(Params{Time: ^uint32(0), MemoryKiB: 64, Threads: 1}), ErrCorrupt},
		{"threads over 16", setParams(Params{Time: 1, MemoryKiB: 1024, Threads: maxThreads + 1}), ErrCorrupt},
		{"time 0", setParams(Params{Time: 0, MemoryKiB: 64, Threads: 1}), ErrCorrupt},
		{"threads 0", setParams(Params{Time: 1, MemoryKiB: 64, Threads: 0}), ErrCorrupt},
		{"memory below 8 per thread", setParams(Params{Time: 1, MemoryKiB: 31, Threads: 4}), ErrCorrupt},
		// A forger who recomputes the checksum still gets no key: the
		// header is associated data.
		{"forged params", setParams(Params{Time: 2, MemoryKiB: 64, Threads: 1}), ErrWrongPassword},
		{"forged salt", func(b []byte) []byte { b[offSalt] ^= 1; return rechecksum(b) }, ErrWrongPassword},
		{"forged nonce", func(b []byte) []byte { b[offNonce] ^= 1; return rechecksum(b) }, ErrWrongPassword},
		{"forged ciphertext", func(b []byte) []byte { b[headerSize] ^= 1; return rechecksum(b) }, ErrWrongPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blob := tt.mangle(bytes.Clone(good))
			got, err := Open(blob, "secret")
			if !errors.Is(err, tt.want) {
				t.Errorf("Open() error = %v, want %v", err, tt.want)
			}
			if got != nil {
				t.Errorf("Open() = %x, want nil", got)
			}
		})
	}
}

func TestSealRejects(t *testing.T) {
	priv := testKey(1)
	badPub := bytes.Clone(priv)
	badPub[40] ^= 1
	tests := []struct {
		name     string
		priv     ed25519.PrivateKey
		password string
		p        Params
		want     error // nil: any error
	}{
		{"empty password", priv, "", fast, ErrEmptyPassword},
		{"nil key", nil, "pw", fast, nil},
		{"short key", priv[:32], "pw", fast, nil},
		{"mismatched public half", badPub, "pw", fast, nil},
		{"zero params", priv, "pw", Params{}, nil},
		{"memory too large", priv, "pw", Params{Time: 1, MemoryKiB: maxMemoryKiB + 1, Threads: 1}, nil},
		{"time too large", priv, "pw", Params{Time: maxTime + 1, MemoryKiB: 64, Threads: 1}, nil},
		{"threads too large", priv, "pw", Params{Time: 1, MemoryKiB: 1024, Threads: maxThreads + 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blob, err := Seal(tt.priv, tt.password, tt.p)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("Seal() = %x, %v; want error %v", blob, err, tt.want)
			}
		})
	}
}

func TestFreshSaltAndNonce(t *testing.T) {
	priv := testKey(1)
	a := mustSeal(t, priv, "pw", fast)
	b := mustSeal(t, priv, "pw", fast)
	if bytes.Equal(a[offSalt:offNonce], b[offSalt:offNonce]) {
		t.Errorf("two seals share salt %x", a[offSalt:offNonce])
	}
	if bytes.Equal(a[offNonce:headerSize], b[offNonce:headerSize]) {
		t.Errorf("two seals share nonce %x", a[offNonce:headerSize])
	}
	if bytes.Equal(a[headerSize:sealedEnd], b[headerSize:sealedEnd]) {
		t.Errorf("two seals share ciphertext %x", a[headerSize:sealedEnd])
	}
}

func TestSealParamsStored(t *testing.T) {
	p := Params{Time: 3, MemoryKiB: 100, Threads: 2}
	b := mustSeal(t, testKey(1), "pw", p)
	got := Params{
		Time:      binary.BigEndian.Uint32(b[offTime:]),
		MemoryKiB: binary.BigEndian.Uint32(b[offMemory:]),
		Threads:   b[offThreads],
	}
	if b[0] != Version || got != p {
		t.Errorf("header = version %d, %+v; want version %d, %+v", b[0], got, Version, p)
	}
}

// fuzzMaxMemoryKiB bounds the argon2 memory a fuzz input may make Open use,
// so the fuzzer explores the parser rather than the allocator.
const fuzzMaxMemoryKiB = 1024

func FuzzOpen(f *testing.F) {
	good := mustSeal(f, testKey(1), "secret", fast)
	f.Add(good, "secret")
	f.Add(good, "wrong")
	f.Add(good[:headerSize], "secret")
	f.Add([]byte{}, "")
	forged := bytes.Clone(good)
	binary.BigEndian.PutUint32(forged[offMemory:], ^uint32(0))
	f.Add(rechecksum(forged), "secret")
	f.Fuzz(func(t *testing.T, blob []byte, password string) {
		if len(blob) == Size && binary.BigEndian.Uint32(blob[offMemory:]) > fuzzMaxMemoryKiB &&
			binary.BigEndian.Uint32(blob[offMemory:]) <= maxMemoryKiB {
			t.Skip("valid but expensive parameters")
		}
		priv, err := Open(blob, password)
		switch {
		case err == nil && len(priv) != ed25519.PrivateKeySize:
			t.Fatalf("Open() = %d-byte key, nil", len(priv))
		case err != nil && priv != nil:
			t.Fatalf("Open() = %x, %v; want nil key with an error", priv, err)
		case err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrWrongPassword):
			t.Fatalf("Open() error = %v, want %v or %v", err, ErrCorrupt, ErrWrongPassword)
		}
	})
}
