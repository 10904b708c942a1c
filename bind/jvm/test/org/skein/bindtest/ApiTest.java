package org.skein.bindtest;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.skein.mobile.Album;
import org.skein.mobile.Config;
import org.skein.mobile.Connection;
import org.skein.mobile.ConnectionList;
import org.skein.mobile.Conversation;
import org.skein.mobile.ConversationList;
import org.skein.mobile.FeedPage;
import org.skein.mobile.GroupResult;
import org.skein.mobile.GroupResultList;
import org.skein.mobile.HolderList;
import org.skein.mobile.Media;
import org.skein.mobile.MediaInput;
import org.skein.mobile.MediaList;
import org.skein.mobile.MediaListener;
import org.skein.mobile.MediaProgress;
import org.skein.mobile.Member;
import org.skein.mobile.MemberList;
import org.skein.mobile.Message;
import org.skein.mobile.MessageList;
import org.skein.mobile.MessagePage;
import org.skein.mobile.Mobile;
import org.skein.mobile.NetworkType;
import org.skein.mobile.Node;
import org.skein.mobile.Notification;
import org.skein.mobile.NotificationList;
import org.skein.mobile.Post;
import org.skein.mobile.PowerMode;
import org.skein.mobile.PostList;
import org.skein.mobile.Profile;
import org.skein.mobile.Request;
import org.skein.mobile.SearchResults;
import org.skein.mobile.Status;
import org.skein.mobile.StringList;
import org.skein.mobile.PostThread;
import org.skein.mobile.ThreadItem;
import org.skein.mobile.User;
import org.skein.mobile.UserList;

/**
 * ApiTest calls every method of the binding's Node and Mobile classes from
 * Java, and makes every error code happen, the way an app would meet it.
 * The class's last step checks, by reflection over the generated classes,
 * that nothing exported was left out: a method added to package mobile
 * fails this test until a test here calls it.
 */
public class ApiTest {
	private static final long DEADLINE_MS = 30_000;

	/** Names of the Node and Mobile methods the tests called. */
	private static final Set<String> CALLED = ConcurrentHashMap.newKeySet();
	/** Error codes the tests saw from the binding. */
	private static final Set<Long> SEEN = ConcurrentHashMap.newKeySet();
	/** Whether fullDisk ran: it needs a tmpfs, which only root mounts. */
	private static volatile boolean fullDiskRan;

	@Rule
	public final Timeout timeout = Timeout.seconds(180);

	/** Marks the methods names as called; returns nothing. */
	private static void called(String... names) {
		for (String n : names) {
			CALLED.add(n);
		}
	}

	/** A call expected to throw. */
	interface Call {
		void run() throws Exception;
	}

	/** Runs call, which must throw an exception carrying code. */
	private static Exception expect(long code, String what, Call call) throws Exception {
		try {
			call.run();
		} catch (Exception e) {
			called("errorCode", "errorCodeName");
			long got = Mobile.errorCode(e);
			assertEquals(what + ": " + e.getMessage() + " (" + Mobile.errorCodeName(got) + ")",
					Mobile.errorCodeName(code), Mobile.errorCodeName(got));
			String msg = e.getMessage();
			assertNotNull(what + ": no message", msg);
			assertFalse(what + ": an empty message", msg.isEmpty());
			assertTrue(what + ": a message of " + msg.length() + " characters", msg.length() <= 301);
			assertFalse(what + ": a Go package prefix in " + msg, msg.startsWith("core: "));
			SEEN.add(code);
			return e;
		}
		fail(what + " succeeded");
		return null;
	}

	private static Config config(Path dir, String bootstrap, boolean dhtServer) {
		called("newConfig");
		Config cfg = Mobile.newConfig();
		cfg.setDataDir(dir.toString());
		cfg.setListenAddrs(Loopback.LISTEN);
		cfg.setBootstrapAddrs(bootstrap);
		cfg.setDHTServer(dhtServer);
		return cfg;
	}

	@Test
	public void everyCallAndEvent() throws Exception {
		try (Loopback net = new Loopback()) {
			called("newNode", "start", "addrs", "peerID", "setListener", "register");
			Node a = net.start("", true);
			Node b = net.start(a.addrs(), false);
			Loopback.await("bob's node connects", DEADLINE_MS, () -> b.status().getPeers() > 0);
			Recorder ra = new Recorder();
			Recorder rb = new Recorder();
			a.setListener(ra);
			b.setListener(rb);
			rb.awaitConnectivity("when the listener is set", DEADLINE_MS, n -> n >= 0);
			User alice = a.register("alice", "pw-alice");
			User bob = b.register("bob", "pw-bob");

			called("follow", "post", "feed", "reply", "repost", "timeline", "delete");
			User followed = b.follow("alice");
			assertEquals(alice.getKey(), followed.getKey());
			ra.awaitFollower("for bob", DEADLINE_MS, u -> u.getKey().equals(bob.getKey()));
			Post post = a.post("hello, \u00e9t\u00e9 \uD83D\uDE00");
			rb.awaitPost("for alice's post", DEADLINE_MS, p -> p.getID().equals(post.getID()));
			Post reply = b.reply(post.getID().substring(0, 8), "hi alice");
			assertEquals("reply", reply.getKind());
			assertEquals(post.getID(), reply.getReplyToID());
			assertEquals("alice", reply.getReplyToAuthor());
			assertEquals(alice.getKey(), reply.getReplyToAuthorKey());
			Post repost = b.repost(post.getID());
			assertEquals("repost", repost.getKind());
			assertEquals("", repost.getText());
			assertEquals(post.getID(), repost.getRepostOfID());
			assertEquals(post.getText(), repost.getRepostOf().getText());
			assertFalse(repost.getUnavailable());
			ra.awaitNotification("for the reply", DEADLINE_MS,
					n -> n.getKind().equals("reply") && n.getPost() != null && n.getPostID().equals(reply.getID()));

			// Paging: one post per page, to the end.
			FeedPage page = b.feed("", 1);
			assertEquals(1, page.len());
			assertNull(page.get(1));
			int seen = 0;
			for (String cursor = ""; ; ) {
				FeedPage pg = b.feed(cursor, 1);
				seen += pg.len();
				cursor = pg.nextCursor();
				if (cursor.isEmpty()) {
					break;
				}
			}
			assertEquals("posts in bob's feed: alice's post, bob's reply and repost", 3, seen);
			// The same pages as JSON, read as an app would with Gson.
			called("feedJSON", "timelineJSON");
			JsonObject first = JsonParser.parseString(new String(b.feedJSON("", 1), StandardCharsets.UTF_8))
					.getAsJsonObject();
			JsonArray posts = first.getAsJsonArray("posts");
			assertEquals(1, posts.size());
			assertEquals(page.get(0).getID(), posts.get(0).getAsJsonObject().get("id").getAsString());
			assertEquals(page.nextCursor(), first.get("next").getAsString());
			JsonObject tlj = JsonParser.parseString(new String(b.timelineJSON("alice", "", 10), StandardCharsets.UTF_8))
					.getAsJsonObject();
			JsonObject own = tlj.getAsJsonArray("posts").get(0).getAsJsonObject();
			assertEquals(post.getText(), own.get("text").getAsString());
			assertEquals("alice", own.get("author").getAsString());
			assertFalse("a last page has a next cursor", tlj.has("next"));
			expect(Mobile.CodeInvalidInput, "feedJSON(a bad cursor)", () -> b.feedJSON("bad", 10));

			FeedPage tl = b.timeline("alice", "", Mobile.MaxPageSize + 1);
			assertEquals(1, tl.len());
			assertEquals(post.getID(), tl.get(0).getID());
			assertEquals(post.getTimeMillis(), tl.get(0).getTimeMillis());

			called("following", "followers", "notifications", "whois", "peers", "accounts", "status");
			UserList following = b.following();
			assertEquals(1, following.len());
			assertTrue(following.get(0).getLog().getTo() >= 1);
			assertTrue(following.get(0).getSinceMillis() > 0);
			UserList followers = a.followers();
			assertEquals("bob", followers.get(0).getName());
			NotificationList notes = a.notifications(10, true);
			assertTrue(notes.len() >= 2);
			assertNull(notes.get(notes.len()));
			assertEquals(0, a.status().getUnread());
			Profile p = b.whois("alice");
			assertEquals("alice", p.getName());
			assertEquals(alice.getKey(), p.getKey());
			assertEquals(a.peerID(), p.getPeerID());
			assertTrue(p.getPinned());
			assertTrue(p.getAddrs().len() > 0);
			assertTrue(p.getHeld() >= 1);
			// Search: alice's post, held by bob, by a folded substring of
			// its text, and alice by name.
			called("search");
			// Posts that came by the network are indexed a moment later.
			Loopback.await("bob's index has alice's post", DEADLINE_MS,
					() -> b.search("\u00c9T\u00c9", Mobile.SearchPosts, 0).getPosts().len() == 1);
			SearchResults found = b.search("\u00c9T\u00c9", Mobile.SearchPosts, 0);
			PostList foundPosts = found.getPosts();
			assertEquals(1, foundPosts.len());
			assertEquals(post.getID(), foundPosts.get(0).getID());
			assertNull(foundPosts.get(1));
			assertEquals(0, found.getUsers().len());
			found = b.search("ali", Mobile.SearchAll, 5);
			assertEquals("alice", found.getUsers().get(0).getName());
			assertEquals(0, b.search("hello", Mobile.SearchTag, 0).getPosts().len());
			// bob holds alice's log and announces it in the DHT.
			called("holders");
			Loopback.await("bob among alice's holders", DEADLINE_MS, () -> {
				HolderList hs = a.holders();
				for (int i = 0; i < hs.len(); i++) {
					if (hs.get(i).getPeerID().equals(b.peerID())) {
						return hs.get(i).getOnline();
					}
				}
				return false;
			});
			ConnectionList peers = b.peers();
			assertTrue(peers.len() > 0);
			Connection c = peers.get(0);
			assertEquals(a.peerID(), c.getPeer());
			assertFalse(c.getRelayed());
			assertTrue(c.getOpenedMillis() > 0);
			StringList accounts = b.accounts();
			assertEquals(1, accounts.len());
			assertEquals("bob", accounts.get(0));
			Status st = b.status();
			assertEquals("bob", st.getAccount());
			assertEquals(bob.getKey(), st.getKey());
			assertEquals("client", st.getDHTMode());
			assertEquals(1, st.getFollowing());
			assertTrue(st.getEntries() >= 3);
			assertFalse(st.getRestoring());
			assertEquals(1, st.getAccounts().len());
			assertEquals(0, st.getRelays().len());
			assertTrue(st.getAddrs().len() > 0);
			assertFalse(st.getReachability().isEmpty());
			assertEquals(Mobile.powerForeground(), st.getPower());
			assertEquals(Mobile.networkWiFi(), st.getNetwork());

			// Deleting a post reaches the follower's listener.
			a.delete(post.getID());
			rb.awaitDelete("for alice's post", DEADLINE_MS, d -> d.getID().equals(post.getID()));

			called("unfollow");
			b.unfollow("alice");
			ra.awaitUnfollow("by bob", DEADLINE_MS, u -> u.getName().equals("bob"));

			called("setPowerMode", "setNetworkType", "powerForeground", "powerBackground", "powerOff",
					"networkWiFi", "networkCellular", "networkNone");
			for (PowerMode m : new PowerMode[] {Mobile.powerBackground(), Mobile.powerOff(), Mobile.powerForeground()}) {
				b.setPowerMode(m);
				assertEquals(m, b.status().getPower());
			}
			for (NetworkType t : new NetworkType[] {Mobile.networkCellular(), Mobile.networkNone(), Mobile.networkWiFi()}) {
				b.setNetworkType(t);
				assertEquals(t, b.status().getNetwork());
			}
			assertNotEquals(Mobile.powerOff(), Mobile.powerForeground());
			assertEquals("foreground", Mobile.powerForeground().toString());

			// Export, then restore on two new devices.
			called("exportPhrase", "exportKeyFile", "logout", "login", "restorePhrase", "restoreKeyFile");
			String phrase = a.exportPhrase("pw-alice");
			assertEquals(24, phrase.trim().split("\\s+").length);
			byte[] keyFile = a.exportKeyFile("pw-alice");
			assertTrue(keyFile.length > 0);
			a.logout();
			assertEquals("", a.status().getAccount());
			assertEquals(alice.getKey(), a.login("alice", "pw-alice").getKey());
			Node c1 = net.start(a.addrs(), false);
			Loopback.await("the new phone connects", DEADLINE_MS, () -> c1.status().getPeers() > 0);
			User restored = c1.restorePhrase("alice", phrase, "new-pw");
			assertEquals(alice.getKey(), restored.getKey());
			Node c2 = net.start(a.addrs(), false);
			Loopback.await("the other new phone connects", DEADLINE_MS, () -> c2.status().getPeers() > 0);
			assertEquals(alice.getKey(), c2.restoreKeyFile(keyFile, "pw-alice").getKey());
			assertArrayEquals(keyFile, keyFile.clone());

			called("close");
			net.close(b);
		}
	}

	@Test
	public void everyErrorCode() throws Exception {
		try (Loopback net = new Loopback()) {
			SEEN.add(Mobile.CodeOK);
			assertEquals(Mobile.CodeOK, Mobile.errorCode(null));
			assertEquals(Mobile.CodeInternal, Mobile.errorCode(new Exception("not from Go")));
			SEEN.add(Mobile.CodeInternal);

			expect(Mobile.CodeInvalidInput, "newNode(null)", () -> Mobile.newNode(null));
			Path dir = Files.createTempDirectory("skein-jvm-");
			try {
				Node early = Mobile.newNode(config(dir, "", false));
				expect(Mobile.CodeNotStarted, "post before start", () -> early.post("hi"));
				early.start();
				expect(Mobile.CodeStarted, "start twice", early::start);
				Node second = Mobile.newNode(config(dir, "", false));
				Exception e = expect(Mobile.CodeDataDirInUse, "a data dir in use", second::start);
				assertEquals("this data directory is in use by another node: " + dir, e.getMessage());
				second.close();
				expect(Mobile.CodeNotLoggedIn, "post before login", () -> early.post("hi"));
				early.register("lonely", "pw");
				expect(Mobile.CodeNetwork, "follow with no peer", () -> early.follow("someone"));
				early.close();
				expect(Mobile.CodeClosed, "post after close", () -> early.post("hi"));
			} finally {
				Loopback.deleteTree(dir);
			}

			Node a = net.start("", true);
			Node b = net.start(a.addrs(), false);
			Loopback.await("bob's node connects", DEADLINE_MS, () -> b.status().getPeers() > 0);
			expect(Mobile.CodeInvalidName, "register(Alice!)", () -> a.register("Alice!", "pw"));
			expect(Mobile.CodeInvalidInput, "register(alice, null)", () -> a.register("alice", null));
			a.register("alice", "pw-alice");
			expect(Mobile.CodeLoggedIn, "register while logged in", () -> a.register("alice2", "pw"));
			expect(Mobile.CodeNameTaken, "register a taken name", () -> b.register("alice", "pw"));
			b.register("bob", "pw-bob");
			expect(Mobile.CodeUnknownName, "follow(nobody)", () -> b.follow("nobody_here"));
			expect(Mobile.CodeSelfFollow, "follow(self)", () -> b.follow("bob"));
			expect(Mobile.CodeNotFollowing, "unfollow(not followed)", () -> b.unfollow("alice"));
			expect(Mobile.CodeInvalidPost, "post(ESC)", () -> a.post("hi\u001b[2J"));
			StringBuilder tooLong = new StringBuilder();
			for (int i = 0; i <= Mobile.MaxPostChars; i++) {
				tooLong.appendCodePoint(0x1F600); // two UTF-16 units, one character
			}
			expect(Mobile.CodeInvalidPost, "post(too long)", () -> a.post(tooLong.toString()));
			a.post(tooLong.substring(2)); // MaxPostChars characters, 2 × as many UTF-16 units
			expect(Mobile.CodeInvalidInput, "post(null)", () -> a.post(null));
			expect(Mobile.CodeInvalidInput, "setPowerMode(null)", () -> a.setPowerMode(null));
			expect(Mobile.CodeInvalidInput, "feed(a bad cursor)", () -> a.feed("bad", 10));
			Post mine = a.post("mine");
			b.follow("alice");
			Loopback.await("bob holds alice's post", DEADLINE_MS, () -> Loopback.inFeed(b, mine.getID()) != null);
			expect(Mobile.CodeNotYours, "delete(alice's post) by bob", () -> b.delete(mine.getID()));
			expect(Mobile.CodeNoPost, "reply(no such post)", () -> b.reply("00000000deadbeef", "to nothing"));
			expect(Mobile.CodeBadQuery, "search(spaces)", () -> b.search("   ", Mobile.SearchAll, 0));
			expect(Mobile.CodeBadQuery, "search(kind people)", () -> b.search("bob", "people", 0));
			expect(Mobile.CodeWrongPassword, "exportPhrase(wrong)", () -> a.exportPhrase("wrong"));
			b.logout();
			expect(Mobile.CodeWrongPassword, "login(wrong)", () -> b.login("bob", "wrong"));
			expect(Mobile.CodeNoAccount, "login(ghost)", () -> b.login("ghost", "pw"));
			expect(Mobile.CodeAccountExists, "register(bob) again", () -> b.register("bob", "pw"));
			expect(Mobile.CodeBadSecret, "restorePhrase(garbage)", () -> b.restorePhrase("bob", "no phrase", "pw"));
			StringBuilder huge = new StringBuilder();
			for (int i = 0; i < 10_000; i++) {
				huge.append('x');
			}
			expect(Mobile.CodeInvalidName, "login(10,000 characters)", () -> b.login(huge.toString(), "pw"));

			// Restoring: carol's log is nowhere once her phone is gone.
			Node phone = net.start(a.addrs(), false);
			Loopback.await("carol's phone connects", DEADLINE_MS, () -> phone.status().getPeers() > 0);
			phone.register("carol", "pw-carol");
			phone.post("carol's first");
			String phrase = phone.exportPhrase("pw-carol");
			Loopback.await("carol's record announces her post", DEADLINE_MS,
					() -> a.whois("carol").getLatestSeq() >= 1);
			net.close(phone);
			Node newPhone = net.start(a.addrs(), false);
			Loopback.await("carol's new phone connects", DEADLINE_MS, () -> newPhone.status().getPeers() > 0);
			newPhone.restorePhrase("carol", phrase, "new-pw");
			assertTrue(newPhone.status().getRestoring());
			expect(Mobile.CodeRestoring, "post while restoring", () -> newPhone.post("too soon"));
		}
	}

	/** Two relays that each hold another key's claim of one name. */
	@Test
	public void nameConflict() throws Exception {
		try (Loopback net = new Loopback()) {
			Node x = net.start("", true);
			Node y = net.start("", true);
			Node p = net.start(x.addrs(), false);
			Node q = net.start(y.addrs(), false);
			Loopback.await("p connects", DEADLINE_MS, () -> p.status().getPeers() > 0);
			Loopback.await("q connects", DEADLINE_MS, () -> q.status().getPeers() > 0);
			p.register("carol", "pw-1");
			q.register("carol", "pw-2");
			Node c = net.start(x.addrs() + "\n" + y.addrs(), false);
			Loopback.await("c connects to both", DEADLINE_MS, () -> c.status().getPeers() >= 2);
			c.register("dave", "pw");
			expect(Mobile.CodeNameConflict, "whois(carol)", () -> c.whois("carol"));
		}
	}

	/**
	 * A full disk: the script mounts a small tmpfs (as root) and names it in
	 * the skein.fulldisk property. A post that does not fit fails with
	 * CodeNoSpace and loses nothing; once room is made, posting works again.
	 */
	@Test
	public void fullDisk() throws Exception {
		String mount = System.getProperty("skein.fulldisk", "");
		Assume.assumeFalse("no tmpfs to fill (the script mounts one as root)", mount.isEmpty());
		fullDiskRan = true;
		Path dir = Paths.get(mount, "node");
		Path filler = Paths.get(mount, "filler");
		Node n = Mobile.newNode(config(dir, "", false));
		try {
			n.start();
			n.register("full", "pw");
			Post kept = n.post("written before the disk filled");
			fill(filler);
			StringBuilder text = new StringBuilder();
			for (int i = 0; i < Mobile.MaxPostChars; i++) {
				text.append('x');
			}
			Exception got = null;
			for (int i = 0; i < 10_000 && got == null; i++) {
				try {
					n.post(text.toString());
				} catch (Exception e) {
					got = e;
				}
			}
			assertNotNull("10,000 posts fit on a full disk", got);
			final Exception full = got;
			expect(Mobile.CodeNoSpace, "post on a full disk", () -> { throw full; });
			assertEquals(kept.getID(), Loopback.inFeed(n, kept.getID()).getID());
			Files.delete(filler);
			Loopback.await("posting works again", DEADLINE_MS, () -> {
				try {
					n.post("room again");
					return true;
				} catch (Exception e) {
					return false;
				}
			});
		} finally {
			n.close();
			Files.deleteIfExists(filler);
			Loopback.deleteTree(dir);
		}
	}

	/** Writes to path until the disk is full. */
	private static void fill(Path path) throws IOException {
		byte[] block = new byte[64 << 10];
		try (OutputStream out = Files.newOutputStream(path)) {
			for (int i = 0; i < 1 << 16; i++) {
				out.write(block);
			}
		} catch (IOException e) {
			if (!String.valueOf(e.getMessage()).contains("No space left")) {
				throw e;
			}
		}
	}

	/** Writes retried with their request ID are done once. */
	@Test
	public void requests() throws Exception {
		try (Loopback net = new Loopback()) {
			Node a = net.start("", true);
			Node b = net.start(a.addrs(), false);
			Loopback.await("bob's node connects", DEADLINE_MS, () -> b.status().getPeers() > 0);
			a.register("alice", "pw");
			b.register("bob", "pw");
			called("request", "id", "Request.post", "Request.reply", "Request.repost", "Request.delete",
					"Request.follow", "Request.unfollow");
			expect(Mobile.CodeInvalidInput, "request(a bad ID)", () -> b.request("not an id!"));
			Request r = b.request("post-1");
			assertEquals("post-1", r.id());
			Post first = r.post("once");
			assertEquals(first.getID(), b.request("post-1").post("once").getID());
			expect(Mobile.CodeInvalidInput, "an ID reused for another post", () -> r.post("another"));
			for (int i = 0; i < 2; i++) {
				b.request("follow-1").follow("alice");
				b.request("reply-1").reply(first.getID(), "re");
				b.request("repost-1").repost(first.getID());
				b.request("delete-1").delete(first.getID());
			}
			// The post, the follow, the reply, the repost, the tombstone.
			assertEquals(5, b.status().getEntries());
			for (int i = 0; i < 2; i++) {
				b.request("unfollow-1").unfollow("alice");
			}
			assertEquals(6, b.status().getEntries());
		}
	}

	/** A profile set on one node shows in a follower's feed and Whois. */
	@Test
	public void profiles() throws Exception {
		try (Loopback net = new Loopback()) {
			Node a = net.start("", true);
			Node b = net.start(a.addrs(), false);
			Loopback.await("bob's node connects", DEADLINE_MS, () -> b.status().getPeers() > 0);
			a.register("alice", "pw");
			b.register("bob", "pw");
			called("setProfile", "Request.setProfile");
			User u = a.setProfile("Alice L.", "down the\nrabbit hole", "https://example.org/alice");
			assertEquals("Alice L.", u.getDisplayName());
			assertEquals("down the\nrabbit hole", u.getBio());
			assertEquals("https://example.org/alice", u.getLink());
			expect(Mobile.CodeInvalidProfile, "setProfile(javascript: link)", () -> a.setProfile("", "", "javascript:alert(1)"));
			expect(Mobile.CodeInvalidProfile, "setProfile(newline in the name)", () -> a.setProfile("a\nb", "", ""));
			long entries = a.status().getEntries();
			for (int i = 0; i < 2; i++) {
				assertEquals("Alice B.", a.request("profile-1").setProfile("Alice B.", "", "").getDisplayName());
			}
			assertEquals(entries + 1, a.status().getEntries());
			b.follow("alice");
			Post post = a.post("hello");
			Loopback.await("bob sees alice's display name", DEADLINE_MS, () -> {
				Post p = Loopback.inFeed(b, post.getID());
				return p != null && p.getAuthorDisplayName().equals("Alice B.");
			});
			Profile w = b.whois("alice");
			assertEquals("Alice B.", w.getDisplayName());
			assertEquals("", w.getBio());
			assertEquals("Alice B.", b.following().get(0).getDisplayName());
		}
	}

	/** Likes, unlikes and a thread of replies. */
	@Test
	public void likesAndThreads() throws Exception {
		try (Loopback net = new Loopback()) {
			Node a = net.start("", true);
			Node b = net.start(a.addrs(), false);
			Loopback.await("bob's node connects", DEADLINE_MS, () -> b.status().getPeers() > 0);
			a.register("alice", "pw");
			b.register("bob", "pw");
			b.follow("alice");
			Post post = a.post("like this");
			Loopback.await("bob gets alice's post", DEADLINE_MS, () -> b.feed("", 10).len() == 1);
			called("like", "unlike", "Request.like", "Request.unlike", "thread", "threadJSON");
			Post liked = b.like(post.getID());
			assertEquals(1, liked.getLikes());
			assertTrue(liked.getLiked());
			assertEquals(1, b.request("like-1").like(post.getID()).getLikes());
			for (int i = 0; i < 2; i++) {
				b.request("unlike-1").unlike(post.getID());
			}
			expect(Mobile.CodeNotLiked, "unlike(not liked)", () -> b.unlike(post.getID()));
			b.like(post.getID());
			Post reply = b.reply(post.getID(), "a reply");
			PostThread th = b.thread(post.getID());
			assertEquals(2, th.len());
			ThreadItem root = th.get(0);
			assertEquals("post", root.getRole());
			assertEquals(1, root.getPost().getLikes());
			ThreadItem r = th.get(1);
			assertEquals("reply", r.getRole());
			assertEquals(1, r.getDepth());
			assertEquals(post.getID(), r.getParentID());
			assertEquals(reply.getID(), r.getPost().getID());
			assertNull(th.get(2));
			assertTrue("alice's device answers", th.getFetched());
			JsonObject tj = JsonParser.parseString(new String(b.threadJSON(post.getID()), StandardCharsets.UTF_8))
					.getAsJsonObject();
			assertEquals(post.getID(), tj.getAsJsonObject("post").get("id").getAsString());
			assertEquals(reply.getID(), tj.getAsJsonArray("replies").get(0).getAsJsonObject().get("id").getAsString());
			expect(Mobile.CodeNoPost, "thread(unknown)", () -> b.thread("00000000deadbeef"));
			expect(Mobile.CodeNoPost, "like(unknown)", () -> b.like("00000000deadbeef"));
		}
	}

	/** Mutes, blocks and bookmarks, and their errors. */
	@Test
	public void muteBlockBookmark() throws Exception {
		try (Loopback net = new Loopback()) {
			Node a = net.start("", true);
			Node b = net.start(a.addrs(), false);
			Loopback.await("bob's node connects", DEADLINE_MS, () -> b.status().getPeers() > 0);
			a.register("alice", "pw-alice");
			b.register("bob", "pw-bob");
			Post hi = b.post("hi from bob");
			User followed = a.follow("bob");
			Loopback.await("alice holds bob's post", DEADLINE_MS, () -> Loopback.inFeed(a, hi.getID()) != null);

			called("mute", "unmute", "muted", "block", "unblock", "blocked");
			assertEquals(followed.getKey(), a.mute("bob").getKey());
			assertNull("a muted user's post in the feed", Loopback.inFeed(a, hi.getID()));
			assertEquals("bob", a.muted().get(0).getName());
			expect(Mobile.CodeSelfMute, "mute(self)", () -> a.mute("alice"));
			a.unmute("bob");
			assertEquals(0, a.muted().len());

			called("bookmark", "unbookmark", "bookmarks");
			Post saved = a.bookmark(hi.getID().substring(0, 8));
			assertTrue(saved.getBookmarked());
			FeedPage marks = a.bookmarks("", 10);
			assertEquals(1, marks.len());
			assertEquals(hi.getID(), marks.get(0).getID());
			assertTrue(Loopback.inFeed(a, hi.getID()).getBookmarked());
			a.unbookmark(hi.getID());
			assertEquals(0, a.bookmarks("", 10).len());
			expect(Mobile.CodeNoPost, "unbookmark(not bookmarked)", () -> a.unbookmark(hi.getID()));

			User blocked = a.block("bob");
			assertEquals(followed.getKey(), blocked.getKey());
			assertEquals("bob", a.blocked().get(0).getName());
			assertEquals("blocking unfollows", 0, a.following().len());
			expect(Mobile.CodeBlocked, "timeline(blocked)", () -> a.timeline("bob", "", 10));
			a.unblock("bob");
			assertEquals(0, a.blocked().len());
		}
	}

	/**
	 * Checks that shown is how a phone names the account with this key: its
	 * name, or "@" and the key's first digits while the phone does not know
	 * the name yet.
	 */
	private static void assertNamed(String name, String key, String shown) {
		assertTrue(shown + " names neither " + name + " nor its key " + key,
				shown.equals(name) || shown.equals("@" + key.substring(0, 8)));
	}

	/**
	 * The members of group on n, as sorted "name:role" strings, named by
	 * names (key to name).
	 */
	private static List<String> members(Node n, String group, Map<String, String> names) throws Exception {
		MemberList l = n.members(group);
		List<String> out = new ArrayList<>();
		for (long i = 0; i < l.len(); i++) {
			Member m = l.get(i);
			assertNamed(names.get(m.getKey()), m.getKey(), m.getName());
			out.add(names.get(m.getKey()) + ":" + m.getRole() + (m.getMe() ? " (me)" : ""));
		}
		out.sort(null);
		return out;
	}

	/**
	 * The texts of conv's messages on n, oldest first, without change rows,
	 * as "author: text" with the author named by names.
	 */
	private static List<String> texts(Node n, String conv, Map<String, String> names) throws Exception {
		MessagePage p = n.messages(conv, "", Mobile.MaxMessagePage);
		List<String> out = new ArrayList<>();
		for (long i = p.len() - 1; i >= 0; i--) {
			Message m = p.get(i);
			if (m.getEvent().isEmpty()) {
				out.add(names.get(m.getAuthorKey()) + ": " + m.getText());
			}
		}
		return out;
	}

	/**
	 * Messaging: a DM both ways with each listener told, history paged,
	 * unread counts, a private group's life (invite, join, roles, removal,
	 * leave), search, and each messaging error.
	 */
	@Test
	public void messaging() throws Exception {
		try (Loopback net = new Loopback()) {
			Node a = net.start("", true);
			Node b = net.start(a.addrs(), false);
			Node c = net.start(a.addrs(), false);
			Loopback.await("bob's node connects", DEADLINE_MS, () -> b.status().getPeers() > 0);
			Loopback.await("carol's node connects", DEADLINE_MS, () -> c.status().getPeers() > 0);
			Recorder ra = new Recorder();
			Recorder rb = new Recorder();
			Recorder rc = new Recorder();
			a.setListener(ra);
			b.setListener(rb);
			c.setListener(rc);
			User alice = a.register("alice", "pw");
			User bob = b.register("bob", "pw");
			User carol = c.register("carol", "pw");
			Map<String, String> names = new HashMap<>();
			names.put(alice.getKey(), "alice");
			names.put(bob.getKey(), "bob");
			names.put(carol.getKey(), "carol");

			// A DM both ways, non-ASCII text and all.
			called("sendDM", "sendMessage", "conversations", "conversation", "markRead", "messages", "searchMessages");
			String text = "the eagle lands at nine \u00e9t\u00e9 \uD83D\uDE00";
			Message sent = a.sendDM("bob", text);
			assertTrue(sent.getMine());
			assertEquals(text, sent.getText());
			assertEquals(alice.getKey(), sent.getAuthorKey());
			assertEquals("", sent.getEvent());
			assertEquals(64, sent.getConversationID().length());
			assertTrue(sent.getTimeMillis() > 0);
			Recorder.MessageEvent got = rb.awaitMessage("alice's DM", DEADLINE_MS,
					e -> e.message.getID().equals(sent.getID())).value;
			assertEquals(text, got.message.getText());
			assertNamed("alice", alice.getKey(), got.message.getAuthor());
			assertEquals(alice.getKey(), got.message.getAuthorKey());
			assertFalse(got.message.getMine());
			assertTrue(got.conversation.getDM());
			assertEquals(got.message.getAuthor(), got.conversation.getName());
			assertEquals(alice.getKey(), got.conversation.getPeer());
			assertEquals(sent.getConversationID(), got.conversation.getID());
			assertEquals(1, got.conversation.getUnread());
			Message reply = b.sendMessage("alice", "roger");
			assertEquals(sent.getConversationID(), reply.getConversationID());
			Recorder.MessageEvent back = ra.awaitMessage("bob's reply", DEADLINE_MS,
					e -> e.message.getID().equals(reply.getID())).value;
			assertEquals(bob.getKey(), back.message.getAuthorKey());
			assertEquals(reply.getID(), back.conversation.getLast().getID());

			ConversationList convs = b.conversations();
			assertEquals(1, convs.len());
			assertNull(convs.get(1));
			Conversation dm = convs.get(0);
			assertTrue(dm.getDM());
			assertEquals("alice", dm.getName());
			assertEquals(2, dm.getMembers());
			assertTrue(dm.getUpdatedMillis() > 0);
			b.markRead(sent.getConversationID().substring(0, 8));
			assertEquals(0, b.conversation("alice").getUnread());
			// History, one message a page, newest first.
			List<String> ids = new ArrayList<>();
			for (String cursor = ""; ; ) {
				MessagePage pg = b.messages(sent.getConversationID(), cursor, 1);
				for (long i = 0; i < pg.len(); i++) {
					if (pg.get(i).getEvent().isEmpty()) {
						ids.add(pg.get(i).getID());
					}
				}
				assertNull(pg.get(pg.len()));
				cursor = pg.nextCursor();
				if (cursor.isEmpty()) {
					break;
				}
			}
			assertEquals(Arrays.asList(reply.getID(), sent.getID()), ids);
			// The same history as JSON, read as an app would with Gson.
			called("messagesJSON");
			JsonObject hist = JsonParser.parseString(new String(b.messagesJSON("alice", "", 0), StandardCharsets.UTF_8))
					.getAsJsonObject();
			List<String> jids = new ArrayList<>();
			for (com.google.gson.JsonElement el : hist.getAsJsonArray("messages")) {
				JsonObject m = el.getAsJsonObject();
				if (!m.has("event")) {
					jids.add(m.get("id").getAsString());
					assertEquals(sent.getConversationID(), m.get("conversation").getAsString());
				}
				if (m.get("id").getAsString().equals(sent.getID())) {
					assertEquals(text, m.get("text").getAsString());
					assertEquals(alice.getKey(), m.get("author_key").getAsString());
				}
			}
			assertEquals(ids, jids);
			assertFalse("a last page has a next cursor", hist.has("next"));
			expect(Mobile.CodeInvalidInput, "messagesJSON(a bad cursor)", () -> b.messagesJSON("alice", "bad!", 0));
			MessageList found = a.searchMessages("EAGLE", 0);
			assertEquals(1, found.len());
			assertEquals(sent.getID(), found.get(0).getID());
			assertNull(found.get(1));

			// A private group: invitations reach the listeners; only admins
			// remove; a removed member sends nothing more.
			called("createGroup", "invite", "join", "members", "setRole", "remove", "leave", "searchGroups");
			Conversation g = a.createGroup("book club", false, false);
			assertEquals("admin", g.getRole());
			assertEquals(1, g.getMembers());
			assertFalse(g.getPublic());
			assertTrue(g.getHistoryShared());
			a.invite(g.getID(), "bob", false, 0);
			a.invite("book club", "carol", false, 60);
			for (Object[] p : new Object[][] {{b, rb}, {c, rc}}) {
				Node n = (Node) p[0];
				Conversation inv = ((Recorder) p[1]).awaitInvite("to the book club", DEADLINE_MS,
						cv -> cv.getID().equals(g.getID())).value;
				assertEquals("invited", inv.getRole());
				assertEquals("book club", inv.getName());
				assertEquals("member", n.join(g.getID()).getRole());
			}
			ra.awaitMembers("three members", DEADLINE_MS, cv -> cv.getID().equals(g.getID()) && cv.getMembers() == 3);
			Loopback.await("three members on every phone", DEADLINE_MS,
					() -> members(a, g.getID(), names).equals(Arrays.asList("alice:admin (me)", "bob:member", "carol:member"))
							&& members(b, g.getID(), names).equals(Arrays.asList("alice:admin", "bob:member (me)", "carol:member"))
							&& members(c, g.getID(), names).equals(Arrays.asList("alice:admin", "bob:member", "carol:member (me)")));
			a.sendMessage("book club", "first chapter?");
			rc.awaitMessage("alice's group message", DEADLINE_MS,
					e -> e.message.getText().equals("first chapter?") && e.conversation.getID().equals(g.getID()));
			expect(Mobile.CodeNotAdmin, "remove by a member", () -> b.remove(g.getID(), "carol"));
			a.setRole(g.getID(), "bob", true);
			Loopback.await("bob an admin on his phone", DEADLINE_MS,
					() -> members(b, g.getID(), names).equals(Arrays.asList("alice:admin", "bob:admin (me)", "carol:member")));
			b.remove(g.getID(), "carol");
			Conversation gone = rc.awaitMembers("carol removed", DEADLINE_MS,
					cv -> cv.getID().equals(g.getID()) && cv.getRole().isEmpty()).value;
			assertEquals(2, gone.getMembers());
			expect(Mobile.CodeNotMember, "sendMessage by a removed member", () -> c.sendMessage(g.getID(), "still here?"));
			expect(Mobile.CodeInviteInvalid, "join with a used invitation", () -> c.join(g.getID()));
			b.sendMessage(g.getID(), "after carol");
			Loopback.await("alice reads bob", DEADLINE_MS, () -> texts(a, g.getID(), names).equals(
					Arrays.asList("alice: first chapter?", "bob: after carol")));
			b.leave(g.getID());
			Loopback.await("alice alone", DEADLINE_MS,
					() -> members(a, g.getID(), names).equals(Arrays.asList("alice:admin (me)")));

			// A public group is found by name; a private one never is.
			Conversation pub = a.createGroup("chess lovers", true, false);
			assertTrue(pub.getPublic());
			GroupResultList groups = a.searchGroups("CHESS", 0);
			assertEquals(1, groups.len());
			GroupResult gr = groups.get(0);
			assertEquals(pub.getID(), gr.getID());
			assertEquals("chess lovers", gr.getName());
			assertTrue(gr.getJoined());
			assertEquals(1, gr.getMembers());
			assertEquals(0, a.searchGroups("book", 0).len());

			// Errors.
			expect(Mobile.CodeSelfMessage, "sendDM(self)", () -> a.sendDM("alice", "me"));
			expect(Mobile.CodeNoConversation, "sendMessage(nobody)", () -> a.sendMessage("nobody_here", "x"));
			expect(Mobile.CodeInvalidMessage, "sendMessage(ESC)", () -> a.sendMessage("bob", "hi\u001b[2J"));
			StringBuilder tooLong = new StringBuilder();
			for (int i = 0; i <= Mobile.MaxMessageChars; i++) {
				tooLong.appendCodePoint(0x1F600);
			}
			expect(Mobile.CodeInvalidMessage, "sendDM(too long)", () -> a.sendDM("bob", tooLong.toString()));
			a.createGroup("dup", false, false);
			a.createGroup("dup", false, false);
			expect(Mobile.CodeAmbiguous, "sendMessage(a name of two groups)", () -> a.sendMessage("dup", "x"));
			expect(Mobile.CodeBadQuery, "searchGroups(spaces)", () -> a.searchGroups("  ", 0));
			expect(Mobile.CodeInvalidInput, "invite(-1 minutes)", () -> a.invite(pub.getID(), "bob", false, -1));
			// dave's device goes away and no relay keeps his encryption key.
			Node d = net.start(a.addrs(), false);
			Loopback.await("dave's node connects", DEADLINE_MS, () -> d.status().getPeers() > 0);
			d.register("dave", "pw");
			Loopback.await("dave's name record on alice's node", DEADLINE_MS, () -> {
				try {
					return a.whois("dave").getKey().length() == 64;
				} catch (Exception e) {
					return false;
				}
			});
			net.close(d);
			expect(Mobile.CodeNoPrekey, "sendDM(dave, offline)", () -> a.sendDM("dave", "are you there?"));
			StringBuilder longName = new StringBuilder();
			for (int i = 0; i <= 64; i++) {
				longName.append('n');
			}
			expect(Mobile.CodeInvalidGroupName, "createGroup(65 characters)", () -> a.createGroup(longName.toString(), false, false));
			expect(Mobile.CodeLastAdmin, "setRole(the only admin, member)", () -> a.setRole(pub.getID(), "alice", false));
			expect(Mobile.CodeNotInDM, "leave(a DM)", () -> a.leave("bob"));
		}
	}

	/**
	 * Images from Java: bytes with a natively made thumbnail are imported,
	 * posted, read back from another node's feed and fetched whole; a PNG
	 * declared a JPEG is refused; avatars, banners and albums.
	 */
	@Test
	public void media() throws Exception {
		try (Loopback net = new Loopback()) {
			Node a = net.start("", true);
			Node b = net.start(a.addrs(), false);
			Loopback.await("bob's node connects", DEADLINE_MS, () -> b.status().getPeers() > 0);
			a.register("alice", "pw-alice");
			b.register("bob", "pw-bob");
			b.follow("alice");

			called("newMediaInput", "newMediaList", "importMedia", "postWithMedia", "replyWithMedia",
					"fetchMedia", "mediaBytes", "mediaUsage", "pruneMedia");
			byte[] png = png(40, 30, 7);
			byte[] thumb = png(4, 3, 7);
			MediaInput in = Mobile.newMediaInput("image/png", 40, 30);
			in.setAlt("a gradient \u00e9t\u00e9");
			in.setThumb(thumb);
			in.setBlurhash("LEHV6nWB2yk8pyo0adR*.7kCMdnj");
			Media m = a.importMedia(png, in);
			assertEquals(64, m.getRoot().length());
			assertEquals(png.length, m.getSize());
			assertEquals("image/png", m.getType());
			assertEquals(40, m.getWidth());
			assertEquals(30, m.getHeight());
			assertEquals(thumb.length, m.getThumbSize());
			assertTrue(m.getLocal());
			assertTrue(new String(m.json(), StandardCharsets.UTF_8).contains(m.getRoot()));

			expect(Mobile.CodeInvalidMedia, "importMedia(a PNG declared image/jpeg)",
					() -> a.importMedia(png, Mobile.newMediaInput("image/jpeg", 40, 30)));
			expect(Mobile.CodeInvalidInput, "importMedia(null input)", () -> a.importMedia(png, null));
			expect(Mobile.CodeMediaTooLarge, "importMedia(64 MiB + 1 byte)",
					() -> a.importMedia(new byte[(int) Mobile.MaxMediaSize + 1], Mobile.newMediaInput("image/png", 1, 1)));

			MediaList list = Mobile.newMediaList();
			list.add(m);
			Post post = a.postWithMedia("look", list);
			assertEquals(1, post.getMedia().len());
			assertEquals(0, a.post("no images").getMedia().len());
			Loopback.await("bob holds alice's post with an image", DEADLINE_MS,
					() -> Loopback.inFeed(b, post.getID()) != null);
			Post seen = Loopback.inFeed(b, post.getID());
			assertEquals(1, seen.getMedia().len());
			Media got = seen.getMedia().get(0);
			assertEquals(m.getRoot(), got.getRoot());
			assertEquals("a gradient \u00e9t\u00e9", got.getAlt());
			assertEquals(m.getThumb(), got.getThumb());
			assertNull(seen.getMedia().get(1));
			assertTrue(new String(b.feedJSON("", 10), StandardCharsets.UTF_8).contains("\"root\":\"" + m.getRoot() + "\""));

			List<MediaProgress> reports = Collections.synchronizedList(new ArrayList<>());
			MediaListener listener = new MediaListener() {
				@Override
				public void onProgress(MediaProgress p) {
					reports.add(p);
				}
			};
			Media fetched = b.fetchMedia(got.getRoot(), listener);
			assertTrue(fetched.getLocal());
			synchronized (reports) {
				for (MediaProgress p : reports) {
					assertEquals(m.getRoot(), p.getRoot());
				}
			}
			assertArrayEquals(png, b.mediaBytes(got.getRoot()));
			assertArrayEquals(thumb, b.mediaBytes(got.getThumb()));
			expect(Mobile.CodeNoMedia, "mediaBytes(a root nobody has)",
					() -> b.mediaBytes("abababababababababababababababababababababababababababababababab"));

			Media mine = b.importMedia(png(8, 8, 9), Mobile.newMediaInput("image/png", 8, 8));
			MediaList mineList = Mobile.newMediaList();
			mineList.add(mine);
			Post reply = b.replyWithMedia(post.getID(), "", mineList);
			assertEquals(post.getID(), reply.getReplyToID());
			assertEquals(mine.getRoot(), reply.getMedia().get(0).getRoot());
			called("Request.postWithMedia", "Request.replyWithMedia");
			String once = b.request("media-1").postWithMedia("once", mineList).getID();
			assertEquals(once, b.request("media-1").postWithMedia("once", mineList).getID());
			String re = b.request("media-2").replyWithMedia(post.getID(), "re", mineList).getID();
			assertEquals(re, b.request("media-2").replyWithMedia(post.getID(), "re", mineList).getID());

			called("setAvatar", "setBanner", "removeAvatar", "removeBanner");
			assertEquals(m.getRoot(), a.setAvatar(m).getAvatar().getRoot());
			assertEquals(m.getRoot(), a.setBanner(m).getBanner().getRoot());
			Loopback.await("bob sees alice's avatar", DEADLINE_MS, () -> {
				Media av = b.whois("alice").getAvatar();
				return av != null && av.getRoot().equals(m.getRoot());
			});
			// Posts carry their author's avatar, for the app to show beside them.
			Media byPost = a.timeline("alice", "", 1).get(0).getAuthorAvatar();
			assertNotNull(byPost);
			assertEquals(m.getRoot(), byPost.getRoot());
			assertNull(a.removeAvatar().getAvatar());
			assertNull(a.removeBanner().getBanner());
			expect(Mobile.CodeInvalidInput, "setAvatar(null)", () -> a.setAvatar(null));

			assertTrue(a.mediaUsage().getOwn() >= png.length);
			assertTrue(b.pruneMedia() >= 0);

			called("createAlbum", "addToAlbum", "albums", "album", "mirrorAlbum", "mirrors", "unmirror",
					"removeFromAlbum", "dropAlbum");
			assertEquals("Memes", a.createAlbum("memes", "Memes").getTitle());
			MediaList items = Mobile.newMediaList();
			for (int i = 0; i < 2; i++) {
				MediaInput item = Mobile.newMediaInput("image/png", 10 + i, 10);
				item.setName("meme-" + i + ".png");
				items.add(a.importMedia(png(10 + i, 10, 20 + i), item));
			}
			assertEquals(2, a.addToAlbum("memes", items).getItems().len());
			assertEquals(1, a.albums("").len());
			expect(Mobile.CodeNoAlbum, "album(no such album)", () -> b.album("alice", "nope"));
			Loopback.await("bob sees alice's album", DEADLINE_MS, () -> {
				try {
					return b.album("alice", "memes").getItems().len() == 2;
				} catch (Exception e) {
					return false;
				}
			});
			Album mirror = b.mirrorAlbum("alice", "memes", null);
			assertTrue(mirror.getMirrored());
			assertEquals(2, mirror.getHeld());
			assertEquals("", mirror.getMirrorDir());
			assertEquals("memes", b.mirrors().get(0).getSlug());
			assertArrayEquals(png(10, 10, 20), b.mediaBytes(items.get(0).getRoot()));
			assertArrayEquals(png(11, 10, 21), b.mediaBytes(items.get(1).getRoot()));
			b.unmirror("alice", "memes");
			assertEquals(0, b.mirrors().len());
			assertEquals(1, a.removeFromAlbum("memes", items.get(0).getRoot()).getItems().len());
			a.dropAlbum("memes");
			assertEquals(0, a.albums("").len());
		}
	}

	/** A w×h PNG whose pixels depend on seed, encoded here without java.awt. */
	private static byte[] png(int w, int h, int seed) throws IOException {
		java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
		for (int y = 0; y < h; y++) {
			raw.write(0); // filter: none
			for (int x = 0; x < w; x++) {
				raw.write((x + seed) & 0xff);
				raw.write((y * seed) & 0xff);
				raw.write(seed & 0xff);
			}
		}
		java.util.zip.Deflater deflater = new java.util.zip.Deflater();
		deflater.setInput(raw.toByteArray());
		deflater.finish();
		java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
		byte[] buf = new byte[4096];
		while (!deflater.finished()) {
			z.write(buf, 0, deflater.deflate(buf));
		}
		deflater.end();
		java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13);
		ihdr.putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
		chunk(out, "IHDR", ihdr.array());
		chunk(out, "IDAT", z.toByteArray());
		chunk(out, "IEND", new byte[0]);
		return out.toByteArray();
	}

	private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) throws IOException {
		byte[] t = type.getBytes(StandardCharsets.US_ASCII);
		java.util.zip.CRC32 crc = new java.util.zip.CRC32();
		crc.update(t);
		crc.update(data);
		out.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
		out.write(t);
		out.write(data);
		out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
	}

	/** Power modes and network types are types of their own. */
	@Test
	public void typedModes() throws Exception {
		Method power = Node.class.getMethod("setPowerMode", PowerMode.class);
		Method network = Node.class.getMethod("setNetworkType", NetworkType.class);
		assertNotEquals(power.getParameterTypes()[0], network.getParameterTypes()[0]);
		assertFalse(PowerMode.class.isAssignableFrom(NetworkType.class));
		assertEquals(PowerMode.class, Status.class.getMethod("getPower").getReturnType());
		assertEquals(NetworkType.class, Status.class.getMethod("getNetwork").getReturnType());
	}

	/**
	 * Every public method of Node and every function of Mobile was called,
	 * and every Code constant was seen.
	 */
	@AfterClass
	public static void everythingCovered() throws Exception {
		Set<String> missing = new TreeSet<>();
		for (Method m : Node.class.getDeclaredMethods()) {
			if (Modifier.isPublic(m.getModifiers()) && !isPlumbing(m.getName()) && !CALLED.contains(m.getName())) {
				missing.add("Node." + m.getName());
			}
		}
		for (Method m : Mobile.class.getDeclaredMethods()) {
			if (Modifier.isPublic(m.getModifiers()) && !isPlumbing(m.getName()) && !CALLED.contains(m.getName())) {
				missing.add("Mobile." + m.getName());
			}
		}
		for (Method m : Request.class.getDeclaredMethods()) {
			String name = m.getName().equals("id") ? "id" : "Request." + m.getName();
			if (Modifier.isPublic(m.getModifiers()) && !isPlumbing(m.getName()) && !CALLED.contains(name)) {
				missing.add("Request." + m.getName());
			}
		}
		for (Field f : Mobile.class.getDeclaredFields()) {
			if (f.getName().equals("CodeNoSpace") && !fullDiskRan) {
				System.err.println("ApiTest: CodeNoSpace not checked: fullDisk needs root to mount a tmpfs");
				continue;
			}
			if (f.getName().equals("CodeListFull")) {
				// 10,000 bookmarks take too long here; mobile's Go tests map it.
				continue;
			}
			if (f.getName().startsWith("Code") && !SEEN.contains(f.getLong(null))) {
				missing.add("error " + f.getName());
			}
		}
		assertTrue("not covered by a Java test: " + missing, missing.isEmpty());
	}

	/** Methods gobind adds to every class. */
	private static boolean isPlumbing(String name) {
		switch (name) {
			case "equals":
			case "hashCode":
			case "toString":
			case "incRefnum":
			case "touch":
				return true;
			default:
				return false;
		}
	}
}
