package org.skein.demo.core;

/**
 * An image the user picked to attach to a post, prepared on the phone: the
 * file's bytes, its type and size in pixels, and a small thumbnail made
 * natively (the library links no image decoder). Immutable.
 */
public final class Attachment {
    /** The largest image the demo attaches: it reads the whole file into memory. */
    public static final int MAX_BYTES = 8 << 20;
    /** The largest thumbnail the node takes (Mobile.MaxThumbSize). */
    public static final int MAX_THUMB_BYTES = 16 << 10;

    public final byte[] bytes;
    public final String mimeType;
    public final int width;
    public final int height;
    public final byte[] thumb; // null if none could be made small enough
    public final String alt;

    public Attachment(byte[] bytes, String mimeType, int width, int height, byte[] thumb, String alt) {
        this.bytes = bytes;
        this.mimeType = PostItem.nonNull(mimeType);
        this.width = width;
        this.height = height;
        this.thumb = thumb;
        this.alt = PostItem.nonNull(alt);
    }

    /** Why the attachment cannot be posted, or null if it can. */
    public String error() {
        if (bytes == null || bytes.length == 0) {
            return "The image is empty.";
        }
        if (bytes.length > MAX_BYTES) {
            return "The image is too large: at most " + (MAX_BYTES >> 20) + " MB.";
        }
        if (!mimeType.equals("image/jpeg") && !mimeType.equals("image/png") && !mimeType.equals("image/gif")
                && !mimeType.equals("image/webp")) {
            return "Only JPEG, PNG, GIF and WebP images can be attached.";
        }
        if (thumb != null && thumb.length > MAX_THUMB_BYTES) {
            return "The thumbnail is too large.";
        }
        return null;
    }
}
