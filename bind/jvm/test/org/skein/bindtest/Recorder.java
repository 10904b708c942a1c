package org.skein.bindtest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.skein.mobile.Conversation;
import org.skein.mobile.Listener;
import org.skein.mobile.Message;
import org.skein.mobile.Notification;
import org.skein.mobile.Post;
import org.skein.mobile.User;

/**
 * Recorder is a Listener that keeps every event with the thread that
 * delivered it. Safe for concurrent use: Go calls it from its own threads.
 */
final class Recorder implements Listener {
	/** One callback: its argument and the thread it ran on. */
	static final class Event<T> {
		final T value;
		final Thread thread;

		Event(T value, Thread thread) {
			this.value = value;
			this.thread = thread;
		}
	}

	private final List<Event<Post>> posts = new ArrayList<>();
	private final List<Event<User>> followers = new ArrayList<>();
	private final List<Event<Notification>> notifications = new ArrayList<>();
	private final List<Event<Long>> connectivity = new ArrayList<>();
	private final List<Event<User>> unfollows = new ArrayList<>();
	private final List<Event<Post>> deletes = new ArrayList<>();
	private final List<Event<MessageEvent>> messages = new ArrayList<>();
	private final List<Event<Conversation>> members = new ArrayList<>();
	private final List<Event<Conversation>> invites = new ArrayList<>();

	/** The two arguments of onMessage. */
	static final class MessageEvent {
		final Message message;
		final Conversation conversation;

		MessageEvent(Message m, Conversation c) {
			this.message = m;
			this.conversation = c;
		}
	}

	@Override
	public void onPost(Post p) {
		add(posts, p);
	}

	@Override
	public void onFollower(User u) {
		add(followers, u);
	}

	@Override
	public void onUnfollow(User u) {
		add(unfollows, u);
	}

	@Override
	public void onDelete(Post p) {
		add(deletes, p);
	}

	@Override
	public void onNotification(Notification n) {
		add(notifications, n);
	}

	@Override
	public void onConnectivity(long peers) {
		add(connectivity, peers);
	}

	@Override
	public void onMessage(Message m, Conversation c) {
		add(messages, new MessageEvent(m, c));
	}

	@Override
	public void onMembers(Conversation c) {
		add(members, c);
	}

	@Override
	public void onInvite(Conversation c) {
		add(invites, c);
	}

	private synchronized <T> void add(List<Event<T>> l, T v) {
		l.add(new Event<>(v, Thread.currentThread()));
		notifyAll();
	}

	/** Waits up to timeoutMillis for an onPost whose post matches. */
	Event<Post> awaitPost(String what, long timeoutMillis, Predicate<Post> match) throws InterruptedException {
		return await(posts, "onPost " + what, timeoutMillis, match);
	}

	/** Waits up to timeoutMillis for an onFollower whose user matches. */
	Event<User> awaitFollower(String what, long timeoutMillis, Predicate<User> match) throws InterruptedException {
		return await(followers, "onFollower " + what, timeoutMillis, match);
	}

	/** Waits up to timeoutMillis for an onUnfollow whose user matches. */
	Event<User> awaitUnfollow(String what, long timeoutMillis, Predicate<User> match) throws InterruptedException {
		return await(unfollows, "onUnfollow " + what, timeoutMillis, match);
	}

	/** Waits up to timeoutMillis for an onDelete whose post matches. */
	Event<Post> awaitDelete(String what, long timeoutMillis, Predicate<Post> match) throws InterruptedException {
		return await(deletes, "onDelete " + what, timeoutMillis, match);
	}

	/** Waits up to timeoutMillis for an onNotification that matches. */
	Event<Notification> awaitNotification(String what, long timeoutMillis, Predicate<Notification> match)
			throws InterruptedException {
		return await(notifications, "onNotification " + what, timeoutMillis, match);
	}

	/** Waits up to timeoutMillis for an onConnectivity that matches. */
	Event<Long> awaitConnectivity(String what, long timeoutMillis, Predicate<Long> match) throws InterruptedException {
		return await(connectivity, "onConnectivity " + what, timeoutMillis, match);
	}

	/** Waits up to timeoutMillis for an onMessage that matches. */
	Event<MessageEvent> awaitMessage(String what, long timeoutMillis, Predicate<MessageEvent> match)
			throws InterruptedException {
		return await(messages, "onMessage " + what, timeoutMillis, match);
	}

	/** Waits up to timeoutMillis for an onMembers whose conversation matches. */
	Event<Conversation> awaitMembers(String what, long timeoutMillis, Predicate<Conversation> match)
			throws InterruptedException {
		return await(members, "onMembers " + what, timeoutMillis, match);
	}

	/** Waits up to timeoutMillis for an onInvite whose conversation matches. */
	Event<Conversation> awaitInvite(String what, long timeoutMillis, Predicate<Conversation> match)
			throws InterruptedException {
		return await(invites, "onInvite " + what, timeoutMillis, match);
	}

	private synchronized <T> Event<T> await(List<Event<T>> l, String what, long timeoutMillis, Predicate<T> match)
			throws InterruptedException {
		long deadline = System.currentTimeMillis() + timeoutMillis;
		int seen = 0;
		while (true) {
			for (; seen < l.size(); seen++) {
				if (match.test(l.get(seen).value)) {
					return l.get(seen);
				}
			}
			long left = deadline - System.currentTimeMillis();
			if (left <= 0) {
				throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for " + what
						+ " (" + l.size() + " other events of that kind arrived)");
			}
			wait(left);
		}
	}
}
