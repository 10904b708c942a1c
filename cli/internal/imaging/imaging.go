// Package imaging prepares an image for posting from the command line or
// the web UI: it finds the image's real type from its bytes, its
// dimensions, a small JPEG thumbnail and a blurhash placeholder. The
// mobile apps do this natively, so this package (and golang.org/x/image)
// is never linked into the mobile library.
//
// Prepare reads only the image header before decoding, and refuses images
// larger than MaxSide pixels on a side or MaxPixels in all (decompression
// bombs). Thumbnails are baseline JPEG of at most MaxThumbBytes bytes with
// a long side of at most ThumbSide pixels: one bao chunk group, so a
// thumbnail is verified by its root alone. Blurhashes have 4×3
// components (28 characters).
package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"

	"github.com/skein-p2p/skein/core"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Limits.
const (
	// MaxSide is the longest side of an image Prepare decodes, in pixels.
	MaxSide = 12000
	// MaxPixels is the most pixels of an image Prepare decodes.
	MaxPixels = 50_000_000
	// ThumbSide is the longest side of a thumbnail, in pixels.
	ThumbSide = 320
	// MaxThumbBytes is the largest thumbnail (media.MaxThumbSize).
	MaxThumbBytes = 16 << 10
)

// Errors of Prepare.
var (
	// ErrUnsupported is returned for bytes that are not a JPEG, PNG, GIF
	// or WebP image.
	ErrUnsupported = errors.New("imaging: not a JPEG, PNG, GIF or WebP image")
	// ErrTooLarge is returned for an image of too many pixels.
	ErrTooLarge = errors.New("imaging: image too large")
	// ErrDecode is returned for an image whose header was readable but
	// whose pixels were not.
	ErrDecode = errors.New("imaging: cannot decode image")
)

// Image is what Prepare learns of an image.
type Image struct {
	// Type is the MIME type the bytes show, whatever the file was
	// called: image/jpeg, image/png, image/gif or image/webp.
	Type string
	// Width and Height are the image's dimensions in pixels, as it is
	// shown: for a JPEG whose EXIF orientation turns it by 90°, the
	// stored height and width.
	Width, Height int
	// Thumb is a JPEG thumbnail of at most MaxThumbBytes bytes, its long
	// side at most ThumbSide pixels, turned upright as EXIF says (it
	// carries no EXIF itself).
	Thumb []byte
	// ThumbWidth and ThumbHeight are the thumbnail's dimensions.
	ThumbWidth, ThumbHeight int
	// Blurhash is a 4×3-component blurhash of the image.
	Blurhash string
}

// formats maps the image types core.MediaType names to their decoders. Only these are used: Prepare never relies on the formats
// other packages registered.
var formats = map[string]struct {
	mime   string
	config func([]byte) (image.Config, error)
	decode func([]byte) (image.Image, error)
}{
	"image/jpeg": {"image/jpeg", func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }, func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }},
	"image/png":  {"image/png", func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }, func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }},
	"image/gif":  {"image/gif", func(b []byte) (image.Config, error) { return gif.DecodeConfig(bytes.NewReader(b)) }, func(b []byte) (image.Image, error) { return gif.Decode(bytes.NewReader(b)) }},
	"image/webp": {"image/webp", func(b []byte) (image.Config, error) { return webp.DecodeConfig(bytes.NewReader(b)) }, func(b []byte) (image.Image, error) { return webp.Decode(bytes.NewReader(b)) }},
}

// Prepare finds data's type from its magic bytes, checks its dimensions
// from its header, then decodes it and makes its thumbnail and blurhash.
// A GIF's first frame is used. It returns an error wrapping
// ErrUnsupported, ErrTooLarge or ErrDecode.
func Prepare(data []byte) (Image, error) {
	// The node's own sniffer: what it refuses as a lying type, Prepare
	// does not take for an image either.
	name := core.MediaType(data[:min(len(data), 512)])
	f, ok := formats[name]
	if !ok {
		return Image{}, ErrUnsupported
	}
	cfg, err := f.config(data)
	if err != nil {
		return Image{}, fmt.Errorf("%w: %s header: %v", ErrDecode, name, err)
	}
	if err := checkSize(cfg.Width, cfg.Height); err != nil {
		return Image{}, err
	}
	img, err := f.decode(data)
	if err != nil {
		return Image{}, fmt.Errorf("%w: %s: %v", ErrDecode, name, err)
	}
	b := img.Bounds()
	if err := checkSize(b.Dx(), b.Dy()); err != nil {
		return Image{}, err
	}
	out := Image{Type: f.mime, Width: b.Dx(), Height: b.Dy()}
	small := scale(img, ThumbSide)
	if name == "image/jpeg" {
		if o := jpegOrientation(data); o > 1 {
			small = orient(small, o)
			if o >= 5 {
				out.Width, out.Height = out.Height, out.Width
			}
		}
	}
	if out.Thumb, small, err = thumbnail(small); err != nil {
		return Image{}, err
	}
	out.ThumbWidth, out.ThumbHeight = small.Bounds().Dx(), small.Bounds().Dy()
	out.Blurhash = blurhash(scale(small, 64), 4, 3)
	return out, nil
}

// checkSize refuses an empty image and one beyond MaxSide or MaxPixels.
func checkSize(w, h int) error {
	switch {
	case w <= 0 || h <= 0:
		return fmt.Errorf("%w: image of %d×%d pixels", ErrDecode, w, h)
	case w > MaxSide || h > MaxSide || w*h > MaxPixels:
		return fmt.Errorf("%w: %d×%d pixels, limit %d on a side and %d million in all", ErrTooLarge, w, h, MaxSide, MaxPixels/1_000_000)
	}
	return nil
}

// scale returns img scaled so that its long side is at most side pixels
// (never enlarged), as an opaque *image.RGBA: transparent pixels are laid
// over white, as a thumbnail in JPEG cannot be transparent.
func scale(img image.Image, side int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > side || h > side {
		if w >= h {
			w, h = side, max(1, (h*side+w/2)/w)
		} else {
			w, h = max(1, (w*side+h/2)/h), side
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	if w == b.Dx() && h == b.Dy() {
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
		return dst
	}
	// A large image is first halved cheaply with a box filter until it
	// is at most twice the target, then scaled with Catmull-Rom: the
	// result matches Catmull-Rom from the full image closely at a
	// fraction of the cost.
	src := img
	for sb := src.Bounds(); sb.Dx() >= 4*w && sb.Dy() >= 4*h; sb = src.Bounds() {
		src = halve(src)
	}
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), xdraw.Over, nil)
	return dst
}

// halve returns img at half its size, each pixel the average of a 2×2
// block (alpha-premultiplied, as image.RGBA stores it).
func halve(img image.Image) image.Image {
	if y, ok := img.(*image.YCbCr); ok && y.SubsampleRatio == image.YCbCrSubsampleRatio420 && y.Rect.Min == (image.Point{}) {
		return halve420(y)
	}
	b := img.Bounds()
	w, h := b.Dx()/2, b.Dy()/2
	src, ok := img.(*image.RGBA)
	if !ok {
		src = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		r0 := src.Pix[2*y*src.Stride:]
		r1 := src.Pix[(2*y+1)*src.Stride:]
		d := dst.Pix[y*dst.Stride:]
		for x := range w {
			i := 8 * x
			for c := range 4 {
				d[4*x+c] = uint8((uint(r0[i+c]) + uint(r0[i+4+c]) + uint(r1[i+c]) + uint(r1[i+4+c]) + 2) / 4)
			}
		}
	}
	return dst
}

// halve420 halves a 4:2:0 JPEG image without converting it to RGB: the
// luma of each 2×2 block is averaged and the block's one chroma sample
// kept, giving a 4:4:4 image. Most photos are 4:2:0, and this spares
// converting and storing every pixel of a large one.
func halve420(src *image.YCbCr) *image.YCbCr {
	w, h := src.Rect.Dx()/2, src.Rect.Dy()/2
	dst := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio444)
	for y := range h {
		r0 := src.Y[2*y*src.YStride:]
		r1 := src.Y[(2*y+1)*src.YStride:]
		d := dst.Y[y*dst.YStride:]
		for x := range w {
			d[x] = uint8((uint(r0[2*x]) + uint(r0[2*x+1]) + uint(r1[2*x]) + uint(r1[2*x+1]) + 2) / 4)
		}
		copy(dst.Cb[y*dst.CStride:y*dst.CStride+w], src.Cb[y*src.CStride:])
		copy(dst.Cr[y*dst.CStride:y*dst.CStride+w], src.Cr[y*src.CStride:])
	}
	return dst
}

// thumbnail encodes img as a JPEG of at most MaxThumbBytes bytes: at
// falling qualities, then, if that is not enough, smaller. It returns the
// JPEG and the image it shows.
func thumbnail(img *image.RGBA) ([]byte, *image.RGBA, error) {
	var buf bytes.Buffer
	for {
		for _, q := range []int{80, 70, 60, 50, 40, 30} {
			buf.Reset()
			if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
				return nil, nil, fmt.Errorf("imaging: thumbnail: %w", err)
			}
			if buf.Len() <= MaxThumbBytes {
				return bytes.Clone(buf.Bytes()), img, nil
			}
		}
		b := img.Bounds()
		side := max(b.Dx(), b.Dy()) * 3 / 4
		if side < 16 {
			return nil, nil, fmt.Errorf("imaging: no thumbnail fits in %d bytes", MaxThumbBytes)
		}
		img = scale(img, side)
	}
}
