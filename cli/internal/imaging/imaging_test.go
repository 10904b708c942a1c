package imaging

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// photo returns a w×h image with gradients and noise, which compresses
// about as badly as a photo.
func photo(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			n := uint8(rng.IntN(64))
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128 + n, 255})
		}
	}
	return img
}

func encode(t testing.TB, format string, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	case "gif":
		err = gif.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPrepare(t *testing.T) {
	webp, err := os.ReadFile("testdata/blue-purple-pink.lossy.webp")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name         string
		data         []byte
		typ          string
		w, h, tw, th int
	}{
		{"png", encode(t, "png", photo(800, 600)), "image/png", 800, 600, 320, 240},
		{"jpeg", encode(t, "jpeg", photo(1000, 3000)), "image/jpeg", 1000, 3000, 107, 320},
		{"gif", encode(t, "gif", photo(200, 100)), "image/gif", 200, 100, 200, 100},
		{"webp", webp, "image/webp", 0, 0, 0, 0},
		{"tiny", encode(t, "png", photo(1, 1)), "image/png", 1, 1, 1, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			im, err := Prepare(tt.data)
			if err != nil {
				t.Fatalf("Prepare() = %v", err)
			}
			if im.Type != tt.typ || tt.w != 0 && (im.Width != tt.w || im.Height != tt.h) {
				t.Errorf("Prepare() = %s %d×%d, want %s %d×%d", im.Type, im.Width, im.Height, tt.typ, tt.w, tt.h)
			}
			if tt.tw != 0 && (im.ThumbWidth != tt.tw || im.ThumbHeight != tt.th) && im.ThumbWidth > tt.tw {
				t.Errorf("thumbnail %d×%d, want %d×%d or smaller", im.ThumbWidth, im.ThumbHeight, tt.tw, tt.th)
			}
			if len(im.Thumb) == 0 || len(im.Thumb) > MaxThumbBytes || max(im.ThumbWidth, im.ThumbHeight) > ThumbSide {
				t.Errorf("thumbnail of %d bytes, %d×%d", len(im.Thumb), im.ThumbWidth, im.ThumbHeight)
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(im.Thumb))
			if err != nil || cfg.Width != im.ThumbWidth || cfg.Height != im.ThumbHeight {
				t.Errorf("thumbnail decodes as %+v, %v", cfg, err)
			}
			if len(im.Blurhash) != 28 {
				t.Errorf("Blurhash = %q, want 28 characters", im.Blurhash)
			}
		})
	}
}

// TestPrepareSniffedTypeWins: the bytes decide the type, not the file name a
// caller was given.
func TestPrepareSniffedTypeWins(t *testing.T) {
	data := encode(t, "png", photo(64, 64)) // as if read from "cat.jpg"
	im, err := Prepare(data)
	if err != nil || im.Type != "image/png" {
		t.Fatalf("Prepare(PNG named .jpg) = %s, %v; want image/png", im.Type, err)
	}
}

func TestPrepareRefuses(t *testing.T) {
	png := encode(t, "png", photo(16, 16))
	// A PNG header that claims 20000×20000 pixels: refused before any
	// pixel is decoded. The IHDR CRC is not checked by DecodeConfig
	// before the size, so patching the size is enough.
	bomb := bytes.Clone(png)
	copy(bomb[16:24], []byte{0, 0, 0x4e, 0x20, 0, 0, 0x4e, 0x20})
	wide := bytes.Clone(png)
	copy(wide[16:24], []byte{0, 0, 0x2e, 0xe0, 0, 0, 0x1f, 0x40}) // 12000×8000 = 96 Mpx
	for _, tt := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrUnsupported},
		{"text", []byte("hello"), ErrUnsupported},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), ErrUnsupported},
		{"bomb", bomb, nil},
		{"too many pixels", wide, nil},
		{"truncated", png[:len(png)/2], ErrDecode},
		{"jpeg header only", []byte("\xff\xd8\xff"), ErrDecode},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Prepare(tt.data)
			if err == nil {
				t.Fatal("Prepare() = nil error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Prepare() = %v, want %v", err, tt.want)
			}
			// A bomb is refused as too large (or, if the patched CRC is
			// checked, as undecodable), never decoded.
			if tt.want == nil && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrDecode) {
				t.Errorf("Prepare() = %v, want ErrTooLarge", err)
			}
		})
	}
}

func TestBlurhash(t *testing.T) {
	solid := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for i := 0; i < len(solid.Pix); i += 4 {
		copy(solid.Pix[i:], []byte{200, 100, 50, 255})
	}
	h := blurhash(solid, 4, 3)
	if len(h) != 28 || h[0] != 'L' {
		t.Fatalf("blurhash(solid) = %q", h)
	}
	if r, g, b := BlurhashColor(h); r != 200 || g != 100 || b != 50 {
		t.Errorf("BlurhashColor(%q) = %d,%d,%d; want 200,100,50", h, r, g, b)
	}
	// Decoding a hash gives back the image it was made of, blurred.
	if d := blurDistance(t, solid); d > 6 {
		t.Errorf("solid image: decoded blurhash differs by %.1f per channel", d)
	}
	if d := blurDistance(t, smooth(48, 32)); d > 12 {
		t.Errorf("smooth image: decoded blurhash differs by %.1f per channel", d)
	}
	// A horizontal gradient from black to white: the first horizontal
	// AC component is strongly negative (dark left, bright right is
	// -cos), so its quantised value is below 9 in every channel.
	grad := image.NewGray(image.Rect(0, 0, 64, 8))
	for x := range 64 {
		for y := range 8 {
			grad.SetGray(x, y, color.Gray{uint8(x * 4)})
		}
	}
	g := blurhash(grad, 4, 3)
	v := strings.IndexByte(digits, g[6])*83 + strings.IndexByte(digits, g[7])
	if r := v / (19 * 19); r >= 9 || v%19 != r || v/19%19 != r {
		t.Errorf("blurhash(gradient) = %q: first AC %d, want equal channels below 9", g, v)
	}
	if r, gg, b := BlurhashColor("nope"); r != 0x80 || gg != 0x80 || b != 0x80 {
		t.Errorf("BlurhashColor(invalid) = %d,%d,%d", r, gg, b)
	}
	if r, gg, b := BlurhashColor("LEHV6nWB2yk8pyo0adR*.7kCMdnj"); r == 0x80 && gg == 0x80 && b == 0x80 {
		t.Errorf("BlurhashColor(valid) = grey")
	}
}

// smooth returns a w×h image of low frequencies only, which a 4×3
// blurhash represents well.
func smooth(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			img.Set(x, y, color.RGBA{uint8(40 + 180*fx), uint8(200 - 150*fy), uint8(60 + 120*fx*fy), 255})
		}
	}
	return img
}

// blurDistance returns the mean absolute difference per channel between
// img and its blurhash decoded as the reference decoder does.
func blurDistance(t *testing.T, img *image.RGBA) float64 {
	t.Helper()
	h := blurhash(img, 4, 3)
	d83 := func(s string) int {
		v := 0
		for i := range len(s) {
			v = v*83 + strings.IndexByte(digits, s[i])
		}
		return v
	}
	flag := d83(h[:1])
	nx, ny := flag%9+1, flag/9+1
	if len(h) != 4+2*nx*ny {
		t.Fatalf("blurhash %q has the wrong length", h)
	}
	maxValue := float64(d83(h[1:2])+1) / 166
	dc := d83(h[2:6])
	colors := [][3]float64{{srgbToLinear(uint32(dc >> 16)), srgbToLinear(uint32(dc >> 8 & 255)), srgbToLinear(uint32(dc & 255))}}
	for i := 1; i < nx*ny; i++ {
		v := d83(h[4+2*i : 6+2*i])
		q := func(q int) float64 { return signPow(float64(q-9)/9, 2) * maxValue }
		colors = append(colors, [3]float64{q(v / 361), q(v / 19 % 19), q(v % 19)})
	}
	b := img.Bounds()
	sum := 0.0
	for y := range b.Dy() {
		for x := range b.Dx() {
			var p [3]float64
			for j := range ny {
				for i := range nx {
					basis := math.Cos(math.Pi*float64(x*i)/float64(b.Dx())) * math.Cos(math.Pi*float64(y*j)/float64(b.Dy()))
					c := colors[i+j*nx]
					p[0] += c[0] * basis
					p[1] += c[1] * basis
					p[2] += c[2] * basis
				}
			}
			o := img.RGBAAt(x, y)
			sum += math.Abs(float64(linearToSRGB(p[0])-int(o.R))) + math.Abs(float64(linearToSRGB(p[1])-int(o.G))) + math.Abs(float64(linearToSRGB(p[2])-int(o.B)))
		}
	}
	return sum / float64(3*b.Dx()*b.Dy())
}

func BenchmarkPrepare(b *testing.B) {
	data := encode(b, "jpeg", photo(4000, 3000))
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Prepare(data); err != nil {
			b.Fatal(err)
		}
	}
}

// withOrientation inserts an EXIF APP1 segment with orientation o after a
// JPEG's SOI marker, in the byte order bo names ("II" or "MM").
func withOrientation(jpg []byte, o uint16, bo string) []byte {
	tiff := []byte(bo)
	put16 := func(v uint16) {
		if bo == "II" {
			tiff = append(tiff, byte(v), byte(v>>8))
		} else {
			tiff = append(tiff, byte(v>>8), byte(v))
		}
	}
	put32 := func(v uint32) { appendUint32(&tiff, v, bo) }
	put16(42)
	put32(8)
	put16(2)      // two entries
	put16(0x010f) // Make, ASCII: skipped
	put16(2)
	put32(4)
	tiff = append(tiff, 'a', 'b', 'c', 0)
	put16(0x0112)
	put16(3)
	put32(1)
	put16(o)
	put16(0)
	put32(0) // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := append([]byte{0xff, 0xe1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}, seg...)
	return append(append([]byte{0xff, 0xd8}, app1...), jpg[2:]...)
}

func appendUint32(b *[]byte, v uint32, bo string) {
	if bo == "II" {
		*b = append(*b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	} else {
		*b = append(*b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
}

func TestPrepareOrientation(t *testing.T) {
	// 80×40: the left half red, the right half blue.
	img := image.NewRGBA(image.Rect(0, 0, 80, 40))
	for y := range 40 {
		for x := range 80 {
			c := color.RGBA{255, 0, 0, 255}
			if x >= 40 {
				c = color.RGBA{0, 0, 255, 255}
			}
			img.Set(x, y, c)
		}
	}
	jpg := encode(t, "jpeg", img)
	for _, tt := range []struct {
		o        uint16
		bo       string
		w, h     int
		topRed   bool // the top-left pixel is red
		rightRed bool // the bottom-right pixel is red
	}{
		{1, "II", 80, 40, true, false},
		{3, "MM", 80, 40, false, true},
		{6, "II", 40, 80, true, false}, // turned 90° clockwise: red on top
		{8, "MM", 40, 80, false, true}, // turned 90° anticlockwise: red below
		{9, "II", 80, 40, true, false}, // invalid: ignored
	} {
		data := withOrientation(jpg, tt.o, tt.bo)
		if got := jpegOrientation(data); tt.o <= 8 && got != int(tt.o) {
			t.Errorf("jpegOrientation(%d, %s) = %d", tt.o, tt.bo, got)
		}
		im, err := Prepare(data)
		if err != nil {
			t.Fatalf("orientation %d: Prepare() = %v", tt.o, err)
		}
		th, err := jpeg.Decode(bytes.NewReader(im.Thumb))
		if err != nil {
			t.Fatal(err)
		}
		red := func(x, y int) bool { r, _, b, _ := th.At(x, y).RGBA(); return r > b }
		tb := th.Bounds()
		if im.Width != tt.w || im.Height != tt.h || tb.Dx() != tt.w || tb.Dy() != tt.h ||
			red(2, 2) != tt.topRed || red(tb.Dx()-3, tb.Dy()-3) != tt.rightRed {
			t.Errorf("orientation %d: %d×%d, thumbnail %v, red top-left %v, red bottom-right %v; want %d×%d, %v, %v",
				tt.o, im.Width, im.Height, tb, red(2, 2), red(tb.Dx()-3, tb.Dy()-3), tt.w, tt.h, tt.topRed, tt.rightRed)
		}
	}
}

func FuzzPrepare(f *testing.F) {
	f.Add(encode(f, "png", photo(8, 8)))
	f.Add(encode(f, "jpeg", photo(8, 8)))
	f.Add(encode(f, "gif", photo(8, 8)))
	f.Add(withOrientation(encode(f, "jpeg", photo(8, 4)), 6, "MM"))
	if b, err := os.ReadFile("testdata/blue-purple-pink.lossy.webp"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := Prepare(data)
		if err != nil {
			return
		}
		if len(im.Thumb) > MaxThumbBytes || im.Width <= 0 || im.Height <= 0 || len(im.Blurhash) != 28 {
			t.Fatalf("Prepare() = %+v", im)
		}
	})
}

// TestPrepareColor: the thumbnail and blurhash of a large JPEG (halved in
// YCbCr first) keep its colour.
func TestPrepareColor(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 1601, 1203))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:], []byte{200, 100, 50, 255})
	}
	for _, format := range []string{"jpeg", "png"} {
		im, err := Prepare(encode(t, format, img))
		if err != nil {
			t.Fatal(err)
		}
		th, err := jpeg.Decode(bytes.NewReader(im.Thumb))
		if err != nil {
			t.Fatal(err)
		}
		near := func(a uint8, b int) bool { return int(a) >= b-8 && int(a) <= b+8 }
		r, g, b, _ := th.At(th.Bounds().Dx()/2, th.Bounds().Dy()/2).RGBA()
		br, bg, bb := BlurhashColor(im.Blurhash)
		if !near(uint8(r>>8), 200) || !near(uint8(g>>8), 100) || !near(uint8(b>>8), 50) || !near(br, 200) || !near(bg, 100) || !near(bb, 50) {
			t.Errorf("%s: thumbnail centre %d,%d,%d, blurhash colour %d,%d,%d; want about 200,100,50", format, r>>8, g>>8, b>>8, br, bg, bb)
		}
		if im.ThumbWidth != 320 || im.ThumbHeight != 240 {
			t.Errorf("%s: thumbnail %d×%d, want 320×240", format, im.ThumbWidth, im.ThumbHeight)
		}
	}
}
