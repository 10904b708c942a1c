package media

import "bytes"

// MIME types.
const (
	TypeJPEG  = "image/jpeg"
	TypePNG   = "image/png"
	TypeGIF   = "image/gif"
	TypeWebP  = "image/webp"
	TypeMP4   = "video/mp4"
	TypeWebM  = "video/webm"
	TypeOctet = "application/octet-stream"
)

// ImageType reports whether t is one of the four image types: JPEG, PNG,
// GIF and WebP. They are the only types shown inline anywhere, and the
// only ones posts, replies, avatars and banners carry. SVG is never one.
func ImageType(t string) bool {
	switch t {
	case TypeJPEG, TypePNG, TypeGIF, TypeWebP:
		return true
	}
	return false
}

// AllowedType reports whether a descriptor may carry type t: an image
// type, or in albums also MP4 and WebM video and
// application/octet-stream for any other file.
func AllowedType(t string) bool {
	switch t {
	case TypeMP4, TypeWebM, TypeOctet:
		return true
	}
	return ImageType(t)
}

// Sniff returns the type data's first bytes show: JPEG, PNG, GIF, WebP,
// MP4 or WebM, or "" if none of them. The web UI and importers check a
// declared type against it, so that a file cannot be shown as what it is
// not.
func Sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return TypeJPEG
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return TypeGIF
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return TypeWebP
	case len(data) >= 12 && string(data[4:8]) == "ftyp":
		if mp4Brand(string(data[8:12])) {
			return TypeMP4
		}
	case bytes.HasPrefix(data, []byte("\x1a\x45\xdf\xa3")):
		// An EBML header: WebM if its DocType, near the start, says so
		// (Matroska says "matroska").
		head := data[:min(len(data), 64)]
		if i := bytes.Index(head, []byte("\x42\x82")); i >= 0 && bytes.HasPrefix(head[i+2:], []byte("\x84webm")) {
			return TypeWebM
		}
	}
	return ""
}

// mp4Brand reports whether an ISO base media file's major brand is one of
// MP4 video's. HEIF and AVIF images and QuickTime movies share the
// container and are not MP4.
func mp4Brand(b string) bool {
	switch b {
	case "isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "dash", "M4V ", "MSNV", "f4v ":
		return true
	}
	return false
}

// blurhashDigits is the base-83 alphabet of blurhash.
const blurhashDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"

// validBlurhash reports whether h is a well-formed blurhash of at most
// maxBlurhash characters: base-83 digits, and as many as its first digit's
// component counts say.
func validBlurhash(h string) bool {
	if len(h) < 6 || len(h) > maxBlurhash {
		return false
	}
	for i := 0; i < len(h); i++ {
		if bytes.IndexByte([]byte(blurhashDigits), h[i]) < 0 {
			return false
		}
	}
	f := bytes.IndexByte([]byte(blurhashDigits), h[0])
	nx, ny := f%9+1, f/9+1
	return len(h) == 4+2*nx*ny
}
