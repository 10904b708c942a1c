package org.skein.demo.core;

/**
 * One image of a post, copied out of the binding's
 * {@code org.skein.mobile.Media}. Immutable. Its bytes come from
 * {@link SkeinClient#mediaBytes} of {@link #root} (the image) or
 * {@link #thumb} (its thumbnail), verified by the node.
 */
public final class ImageItem {
    public final String root; // 64 hex digits
    public final String thumb; // the thumbnail's root, "" if none
    public final String type; // MIME type
    public final String alt; // alt text, "" if none
    public final long width;
    public final long height;
    public final long size; // bytes

    public ImageItem(String root, String thumb, String type, String alt, long width, long height, long size) {
        if (root == null || root.isEmpty()) {
            throw new IllegalArgumentException("an image needs a root");
        }
        this.root = root;
        this.thumb = PostItem.nonNull(thumb);
        this.type = PostItem.nonNull(type);
        this.alt = PostItem.nonNull(alt);
        this.width = width;
        this.height = height;
        this.size = size;
    }

    @Override
    public String toString() {
        return "ImageItem{" + root.substring(0, Math.min(8, root.length())) + " " + type + " " + width + "x" + height + "}";
    }
}
