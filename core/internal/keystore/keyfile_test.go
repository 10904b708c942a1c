package keystore

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"
)

// created is a creation time as the node stores it: UTC, whole milliseconds.
var created = time.Date(2024, 5, 1, 12, 34, 56, 789_000_000, time.UTC)

func testExport(t testing.TB) Export {
	t.Helper()
	return Export{Name: "alice", Created: created, Secret: mustSeal(t, testKey(1), "secret", fast)}
}

func equalExport(a, b Export) bool {
	return a.Name == b.Name && a.Created.Equal(b.Created) && bytes.Equal(a.Secret, b.Secret)
}

func TestMarshalKeyFile(t *testing.T) {
	x := testExport(t)
	want := "skein-key-file v1\n" +
		"name: alice\n" +
		"created: 2024-05-01T12:34:56.789Z\n" +
		"secret: " + base64.StdEncoding.EncodeToString(x.Secret) + "\n"
	if got := string(MarshalKeyFile(x)); got != want {
		t.Errorf("MarshalKeyFile() = %q, want %q", got, want)
	}
}

func TestKeyFileRoundTrip(t *testing.T) {
	berlin := time.FixedZone("CEST", 2*60*60)
	tests := []struct {
		name        string
		x           Export
		wantCreated time.Time
	}{
		{"typical", Export{Name: "alice", Created: created}, created},
		{"longest name", Export{Name: strings.Repeat("z", 32), Created: created}, created},
		{"digits and underscore", Export{Name: "b_0b", Created: created}, created},
		{"other zone", Export{Name: "carol", Created: created.In(berlin)}, created},
		{"sub-millisecond", Export{Name: "dave", Created: created.Add(999_999)}, created},
		{"zero time", Export{Name: "erin", Created: time.Time{}}, time.Time{}},
		{"year 9999", Export{Name: "frank", Created: time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)}, time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			priv := testKey(byte(i + 1))
			password := "pw " + tt.name
			tt.x.Secret = mustSeal(t, priv, password, fast)
			file := MarshalKeyFile(tt.x)
			if file == nil {
				t.Fatal("MarshalKeyFile() = nil")
			}
			if len(file) > MaxKeyFileSize {
				t.Errorf("len(MarshalKeyFile()) = %d, more than MaxKeyFileSize %d", len(file), MaxKeyFileSize)
			}
			got, err := ParseKeyFile(file)
			if err != nil {
				t.Fatalf("ParseKeyFile() error = %v\n%s", err, file)
			}
			want := Export{Name: tt.x.Name, Created: tt.wantCreated, Secret: tt.x.Secret}
			if !equalExport(got, want) {
				t.Errorf("ParseKeyFile() = %+v, want %+v", got, want)
			}
			if got.Created.Location() != time.UTC {
				t.Errorf("ParseKeyFile().Created in %v, want UTC", got.Created.Location())
			}
			key, err := Open(got.Secret, password)
			if err != nil {
				t.Fatalf("Open(ParseKeyFile().Secret) error = %v", err)
			}
			if !key.Equal(priv) {
				t.Errorf("Open(ParseKeyFile().Secret) = %x, want %x", key, priv)
			}
		})
	}
}

func TestParseKeyFileTolerant(t *testing.T) {
	x := testExport(t)
	good := string(MarshalKeyFile(x))
	tests := []struct {
		name, file string
	}{
		{"as written", good},
		{"no final line break", strings.TrimSuffix(good, "\n")},
		{"windows line breaks", strings.ReplaceAll(good, "\n", "\r\n")},
		{"surrounding blank lines", "\n\n  " + good + "\n\n \t\n"},
		{"trailing spaces", strings.ReplaceAll(good, "\n", " \t\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKeyFile([]byte(tt.file))
			if err != nil {
				t.Fatalf("ParseKeyFile(%q) error = %v", tt.file, err)
			}
			if !equalExport(got, x) {
				t.Errorf("ParseKeyFile(%q) = %+v, want %+v", tt.file, got, x)
			}
		})
	}
}

func TestParseKeyFileRejects(t *testing.T) {
	x := testExport(t)
	good := string(MarshalKeyFile(x))
	b64 := base64.StdEncoding.EncodeToString
	line := func(i int, s string) string {
		lines := strings.Split(good, "\n")
		lines[i] = s
		return strings.Join(lines, "\n")
	}
	secret := func(mangle func([]byte) []byte) string {
		return line(3, "secret: "+b64(mangle(bytes.Clone(x.Secret))))
	}
	enc := b64(x.Secret)
	// The blob is 106 bytes, so its base64 ends in one byte and "==";
	// the character before "==" carries 4 unused bits.
	last := enc[len(enc)-3]
	nonCanonical := enc[:len(enc)-3] + string(last+1) + "=="
	// One character changed for another valid one: six bits of the
	// ciphertext differ.
	swap := byte('A')
	if enc[40] == swap {
		swap = 'B'
	}
	tampered := enc[:40] + string(swap) + enc[41:]
	tests := []struct {
		name, file string
		want       string // in the error message
	}{
		{"empty", "", "not a Skein key file"},
		{"white space", " \n\r\n\t", "not a Skein key file"},
		{"garbage", "hello, world", "not a Skein key file"},
		{"binary", "\x00\xff\xfe\x01skein-key-file v1", "not a Skein key file"},
		{"raw sealed key", string(x.Secret), "not a Skein key file"},
		{"base64 sealed key", enc, "not a Skein key file"},
		{"oversize", good + strings.Repeat(" ", MaxKeyFileSize), "more than the 4096"},
		{"oversize garbage", strings.Repeat("x", MaxKeyFileSize+1), "more than the 4096"},
		{"later version", strings.Replace(good, "v1", "v2", 1), "unsupported version"},
		{"upper-case header", strings.Replace(good, "skein-key-file", "SKEIN-KEY-FILE", 1), "not a Skein key file"},
		{"header only", "skein-key-file v1\n", "1 lines, want 4"},
		{"missing line", strings.Replace(good, "name: alice\n", "", 1), "3 lines, want 4"},
		{"extra line", good + "comment: hi\n", "5 lines, want 4"},
		{"blank line inside", strings.Replace(good, "name", "\nname", 1), "5 lines, want 4"},
		{"lines out of order", line(1, "created: 2024-05-01T12:34:56.789Z"), "line 2"},
		{"duplicate name", line(2, "name: alice"), "line 3"},
		{"no space after colon", line(1, "name:alice"), "line 2"},
		{"indented field", line(1, "  name: alice"), "line 2"},
		{"upper-case key", line(1, "Name: alice"), "line 2"},
		{"empty name", line(1, "name: "), "line 2"},
		{"invalid name", line(1, "name: Alice"), "invalid username"},
		{"name with space", line(1, "name: al ice"), "invalid username"},
		{"long name", line(1, "name: "+strings.Repeat("a", 33)), "invalid username"},
		{"created without ms", line(2, "created: 2024-05-01T12:34:56Z"), "line 3"},
		{"created with µs", line(2, "created: 2024-05-01T12:34:56.789000Z"), "line 3"},
		{"created with offset", line(2, "created: 2024-05-01T14:34:56.789+02:00"), "line 3"},
		{"created lower-case z", line(2, "created: 2024-05-01T12:34:56.789z"), "line 3"},
		{"created invalid date", line(2, "created: 2024-02-30T12:34:56.789Z"), "line 3"},
		{"created garbage", line(2, "created: yesterday"), "line 3"},
		{"created empty", line(2, "created: "), "line 3"},
		{"secret empty", line(3, "secret: "), "line 4"},
		{"secret not base64", line(3, "secret: !!!!"), "not valid base64"},
		{"secret url base64", line(3, "secret: "+base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, Size))), "not valid base64"},
		{"secret unpadded", line(3, "secret: "+strings.TrimRight(enc, "=")), "not valid base64"},
		{"secret non-canonical padding bits", line(3, "secret: "+nonCanonical), "not valid base64"},
		{"secret with space", line(3, "secret: "+enc[:20]+" "+enc[20:]), "not valid base64"},
		{"secret with carriage return", line(3, "secret: "+enc[:20]+"\r"+enc[20:]), "not valid base64"},
		{"secret split over lines", line(3, "secret: "+enc[:72]+"\n"+enc[72:]), "5 lines, want 4"},
		{"secret truncated", secret(func(b []byte) []byte { return b[:len(b)-1] }), "105 bytes, want 106"},
		{"secret extended", secret(func(b []byte) []byte { return append(b, 0) }), "107 bytes, want 106"},
		{"secret tampered", line(3, "secret: "+tampered), "secret is damaged"},
		{"secret bit flipped", secret(func(b []byte) []byte { b[headerSize] ^= 1; return b }), "checksum mismatch"},
		{"secret unknown version", secret(func(b []byte) []byte { b[0] = 2; return rechecksum(b) }), "unknown version 2"},
		{"secret 4 TiB memory", secret(func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[offMemory:], ^uint32(0))
			return rechecksum(b)
		}), "memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKeyFile([]byte(tt.file))
			if !errors.Is(err, ErrBadKeyFile) {
				t.Fatalf("ParseKeyFile(%q) = %+v, %v; want error %v", tt.file, got, err, ErrBadKeyFile)
			}
			if !equalExport(got, Export{}) {
				t.Errorf("ParseKeyFile(%q) = %+v, want zero Export", tt.file, got)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseKeyFile(%q) error = %q, want it to contain %q", tt.file, err, tt.want)
			}
		})
	}
}

func TestMarshalKeyFileRejects(t *testing.T) {
	good := testExport(t)
	tests := []struct {
		name   string
		mangle func(*Export)
	}{
		{"empty name", func(x *Export) { x.Name = "" }},
		{"name with line break", func(x *Export) { x.Name = "alice\nsecret: x" }},
		{"upper-case name", func(x *Export) { x.Name = "Alice" }},
		{"year 10000", func(x *Export) { x.Created = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"year -1", func(x *Export) { x.Created = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"nil secret", func(x *Export) { x.Secret = nil }},
		{"short secret", func(x *Export) { x.Secret = x.Secret[:Size-1] }},
		{"damaged secret", func(x *Export) { x.Secret = bytes.Clone(x.Secret); x.Secret[0] ^= 1 }},
		{"raw key as secret", func(x *Export) { x.Secret = testKey(1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := good
			tt.mangle(&x)
			if got := MarshalKeyFile(x); got != nil {
				t.Errorf("MarshalKeyFile(%+v) = %q, want nil", x, got)
			}
		})
	}
}

func FuzzParseKeyFile(f *testing.F) {
	good := MarshalKeyFile(testExport(f))
	f.Add(good)
	f.Add(bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")))
	f.Add([]byte(""))
	f.Add([]byte("skein-key-file v1\n"))
	f.Add([]byte("skein-key-file v1\nname: \ncreated: \nsecret: \n"))
	f.Add(bytes.Replace(good, []byte(".789Z"), []byte(".789+02:00"), 1))
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := ParseKeyFile(b)
		if err != nil {
			if !errors.Is(err, ErrBadKeyFile) || !equalExport(x, Export{}) {
				t.Fatalf("ParseKeyFile() = %+v, %v; want zero Export and error %v", x, err, ErrBadKeyFile)
			}
			return
		}
		// Whatever is accepted can be written again, and reads back
		// the same.
		again := MarshalKeyFile(x)
		if again == nil {
			t.Fatalf("MarshalKeyFile(ParseKeyFile(%q)) = nil", b)
		}
		y, err := ParseKeyFile(again)
		if err != nil || !equalExport(x, y) {
			t.Fatalf("ParseKeyFile(MarshalKeyFile(%+v)) = %+v, %v", x, y, err)
		}
		if len(b) > MaxKeyFileSize {
			t.Fatalf("ParseKeyFile() accepted %d bytes, more than %d", len(b), MaxKeyFileSize)
		}
	})
}
