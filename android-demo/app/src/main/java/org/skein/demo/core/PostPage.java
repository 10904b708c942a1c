package org.skein.demo.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One page of a feed, newest first, and the cursor of the next page ("" if last). Immutable. */
public final class PostPage {
    public final List<PostItem> posts;
    public final String nextCursor;

    public PostPage(List<PostItem> posts, String nextCursor) {
        this.posts = Collections.unmodifiableList(new ArrayList<PostItem>(posts));
        this.nextCursor = PostItem.nonNull(nextCursor);
    }

    public boolean hasMore() {
        return !nextCursor.isEmpty();
    }
}
