package imaging

import (
	"image"
	"math"
	"strings"
)

// digits is blurhash's base-83 alphabet.
const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"

// blurhash returns the blurhash of img with nx × ny components (each 1 to
// 9), as the reference encoder (github.com/woltapp/blurhash) makes it: a
// size digit, a quantised maximum AC value, the average colour in 4
// digits and 2 digits per AC component. It costs nx·ny passes over the
// pixels, so callers pass a small image.
func blurhash(img image.Image, nx, ny int) string {
	nx, ny = min(max(nx, 1), 9), min(max(ny, 1), 9)
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	// Linear RGB of every pixel, and the cosines of each component.
	lin := make([][3]float64, w*h)
	for y := range h {
		for x := range w {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			lin[y*w+x] = [3]float64{srgbToLinear(r >> 8), srgbToLinear(g >> 8), srgbToLinear(bl >> 8)}
		}
	}
	factors := make([][3]float64, 0, nx*ny)
	cx, cy := make([]float64, w), make([]float64, h)
	for j := range ny {
		for y := range h {
			cy[y] = math.Cos(math.Pi * float64(j) * float64(y) / float64(h))
		}
		for i := range nx {
			for x := range w {
				cx[x] = math.Cos(math.Pi * float64(i) * float64(x) / float64(w))
			}
			var f [3]float64
			for y := range h {
				for x := range w {
					basis := cx[x] * cy[y]
					p := lin[y*w+x]
					f[0] += basis * p[0]
					f[1] += basis * p[1]
					f[2] += basis * p[2]
				}
			}
			norm := 2.0
			if i == 0 && j == 0 {
				norm = 1
			}
			s := norm / float64(w*h)
			factors = append(factors, [3]float64{f[0] * s, f[1] * s, f[2] * s})
		}
	}
	var sb strings.Builder
	encode83(&sb, (nx-1)+(ny-1)*9, 1)
	maxValue := 1.0
	if ac := factors[1:]; len(ac) > 0 {
		actual := 0.0
		for _, f := range ac {
			actual = max(actual, math.Abs(f[0]), math.Abs(f[1]), math.Abs(f[2]))
		}
		q := int(max(0, min(82, math.Floor(actual*166-0.5))))
		maxValue = float64(q+1) / 166
		encode83(&sb, q, 1)
	} else {
		encode83(&sb, 0, 1)
	}
	dc := factors[0]
	encode83(&sb, linearToSRGB(dc[0])<<16|linearToSRGB(dc[1])<<8|linearToSRGB(dc[2]), 4)
	for _, f := range factors[1:] {
		q := func(v float64) int {
			return int(max(0, min(18, math.Floor(signPow(v/maxValue, 0.5)*9+9.5))))
		}
		encode83(&sb, q(f[0])*19*19+q(f[1])*19+q(f[2]), 2)
	}
	return sb.String()
}

// BlurhashColor returns the average colour of a blurhash, in sRGB, for a
// placeholder of one colour. It returns mid grey for a string that is not
// a blurhash.
func BlurhashColor(hash string) (r, g, b uint8) {
	if len(hash) < 6 {
		return 0x80, 0x80, 0x80
	}
	v := 0
	for i := 2; i < 6; i++ {
		d := strings.IndexByte(digits, hash[i])
		if d < 0 {
			return 0x80, 0x80, 0x80
		}
		v = v*83 + d
	}
	if v > 0xffffff {
		return 0x80, 0x80, 0x80
	}
	return uint8(v >> 16), uint8(v >> 8), uint8(v)
}

// encode83 writes v as n base-83 digits.
func encode83(sb *strings.Builder, v, n int) {
	for i := n - 1; i >= 0; i-- {
		d := v
		for range i {
			d /= 83
		}
		sb.WriteByte(digits[d%83])
	}
}

// srgbToLinear converts an 8-bit sRGB value to linear light in [0, 1].
func srgbToLinear(v uint32) float64 {
	f := float64(v) / 255
	if f <= 0.04045 {
		return f / 12.92
	}
	return math.Pow((f+0.055)/1.055, 2.4)
}

// linearToSRGB converts linear light to an 8-bit sRGB value.
func linearToSRGB(v float64) int {
	v = max(0, min(1, v))
	if v <= 0.0031308 {
		return int(v*12.92*255 + 0.5)
	}
	return int((1.055*math.Pow(v, 1/2.4)-0.055)*255 + 0.5)
}

// signPow returns |v|^e with v's sign.
func signPow(v, e float64) float64 {
	return math.Copysign(math.Pow(math.Abs(v), e), v)
}
