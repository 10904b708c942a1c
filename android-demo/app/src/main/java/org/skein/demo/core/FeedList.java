package org.skein.demo.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pure logic of a feed: posts keyed by ID (a post seen twice, from a
 * page and from the listener, is kept once, the later copy winning), shown
 * newest first, and deleted posts taken out. Immutable: every change
 * returns a new list.
 */
public final class FeedList {
    /** Newest first; ties broken by the author's log position, then by ID, so the order is total. */
    public static final Comparator<PostItem> NEWEST_FIRST = new Comparator<PostItem>() {
        @Override
        public int compare(PostItem a, PostItem b) {
            if (a.timeMillis != b.timeMillis) {
                return a.timeMillis > b.timeMillis ? -1 : 1;
            }
            if (a.seq != b.seq) {
                return a.seq > b.seq ? -1 : 1;
            }
            return a.id.compareTo(b.id);
        }
    };

    private static final FeedList EMPTY = new FeedList(Collections.<PostItem>emptyList());

    private final List<PostItem> posts; // unmodifiable, sorted, no duplicate IDs

    private FeedList(List<PostItem> sortedUnique) {
        this.posts = Collections.unmodifiableList(sortedUnique);
    }

    public static FeedList empty() {
        return EMPTY;
    }

    /** A list of these posts, de-duplicated and sorted. */
    public static FeedList of(Collection<PostItem> posts) {
        return EMPTY.plus(posts);
    }

    /** This list with these posts added (a post whose ID is present replaces the old copy). */
    public FeedList plus(Collection<PostItem> more) {
        if (more.isEmpty()) {
            return this;
        }
        Map<String, PostItem> byId = new LinkedHashMap<String, PostItem>();
        for (PostItem p : posts) {
            byId.put(p.id, p);
        }
        for (PostItem p : more) {
            if (p != null) {
                byId.put(p.id, p);
            }
        }
        List<PostItem> out = new ArrayList<PostItem>(byId.values());
        Collections.sort(out, NEWEST_FIRST);
        return new FeedList(out);
    }

    public FeedList plus(PostItem post) {
        return plus(Collections.singletonList(post));
    }

    /**
     * This list without the post id (its author deleted it); a repost of it
     * stays, with its original marked unavailable ({@link PostItem#withDeleted}).
     */
    public FeedList minus(String id) {
        return minus(Collections.singleton(id));
    }

    /** This list without the posts with these IDs, as {@link #minus(String)}. */
    public FeedList minus(Collection<String> ids) {
        if (ids.isEmpty()) {
            return this;
        }
        List<PostItem> out = new ArrayList<PostItem>(posts.size());
        boolean changed = false;
        for (PostItem p : posts) {
            if (ids.contains(p.id)) {
                changed = true;
                continue;
            }
            PostItem q = p;
            if (p.isRepost() && ids.contains(p.repostOfId)) {
                q = p.withDeleted(p.repostOfId);
                changed |= q != p;
            }
            out.add(q);
        }
        return changed ? new FeedList(out) : this; // still sorted: the order keys did not change
    }

    public boolean contains(String id) {
        for (PostItem p : posts) {
            if (p.id.equals(id)) {
                return true;
            }
        }
        return false;
    }

    /** The posts, newest first: an unmodifiable list. */
    public List<PostItem> posts() {
        return posts;
    }

    public int size() {
        return posts.size();
    }
}
