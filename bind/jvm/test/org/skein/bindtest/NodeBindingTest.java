package org.skein.bindtest;

import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.CoreMatchers.not;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.skein.mobile.Mobile;
import org.skein.mobile.Node;
import org.skein.mobile.Post;
import org.skein.mobile.PowerMode;
import org.skein.mobile.Status;
import org.skein.mobile.User;

/**
 * NodeBindingTest drives the generated Java binding of package mobile the way
 * an app does: two nodes on 127.0.0.1, alice on the first and bob on the
 * second, which bootstraps from the first. With no relay, both nodes are DHT
 * servers, so that name records have somewhere to live (a lone DHT server
 * waits 20 s for a routing table in Register).
 */
public class NodeBindingTest {
	private static final long DEADLINE_MS = 30_000;
	private static final String PASSWORD = "correct horse battery staple";

	@Rule
	public final Timeout timeout = Timeout.seconds(120);

	private Loopback net;
	private Node alice;
	private Node bob;
	private User aliceUser;
	private User bobUser;
	private final Recorder aliceEvents = new Recorder();
	private final Recorder bobEvents = new Recorder();

	@Before
	public void setUp() throws Exception {
		net = new Loopback();
		alice = net.start("", true);
		assertThat("Addrs() = " + alice.addrs(), alice.addrs(), containsString("/p2p/" + alice.peerID()));
		bob = net.start(alice.addrs(), true);
		Loopback.await("bob's node connects to alice's", DEADLINE_MS, () -> bob.status().getPeers() > 0);
		alice.setListener(aliceEvents);
		bob.setListener(bobEvents);
		aliceUser = alice.register("alice", PASSWORD);
		bobUser = bob.register("bob", PASSWORD);
		assertEquals("alice", aliceUser.getName());
		assertEquals("bob", bobUser.getName());
		assertFalse("Register() returned an empty key", aliceUser.getKey().isEmpty());
	}

	@After
	public void tearDown() throws Exception {
		if (net != null) {
			net.close();
		}
	}

	@Test
	public void followThenPostReachesFeedAndListeners() throws Exception {
		Thread testThread = Thread.currentThread();
		bob.follow("alice");
		assertTrue("bob.following() lacks alice", Loopback.names(bob.following()).contains("alice"));

		Recorder.Event<User> follower = aliceEvents.awaitFollower("for bob", DEADLINE_MS,
				u -> u.getName().equals("bob"));
		assertEquals("onFollower key", bobUser.getKey(), follower.value.getKey());
		Loopback.await("alice.followers() lists bob", DEADLINE_MS,
				() -> Loopback.names(alice.followers()).contains("bob"));

		String text = "hello from the JVM";
		Post sent = alice.post(text);
		assertEquals("alice", sent.getAuthor());
		assertEquals(aliceUser.getKey(), sent.getAuthorKey());
		assertEquals(text, sent.getText());
		assertEquals("post", sent.getKind());
		assertFalse("Post() returned an empty ID", sent.getID().isEmpty());

		Loopback.await("bob's feed shows alice's post", DEADLINE_MS,
				() -> Loopback.inFeed(bob, sent.getID()) != null);
		Post got = Loopback.inFeed(bob, sent.getID());
		assertEquals(text, got.getText());
		assertEquals("alice", got.getAuthor());
		assertEquals(aliceUser.getKey(), got.getAuthorKey());
		assertEquals(sent.getSeq(), got.getSeq());

		Recorder.Event<Post> heard = bobEvents.awaitPost("for alice's post", DEADLINE_MS,
				p -> p.getID().equals(sent.getID()));
		assertEquals(text, heard.value.getText());
		assertNotSame("onPost ran on the test's own thread", testThread, heard.thread);
		assertNotSame("onPost ran on the test's own thread", testThread, follower.thread);
	}

	@Test
	public void wrongPasswordIsAReadableException() throws Exception {
		alice.logout();
		try {
			alice.login("alice", "not " + PASSWORD);
			fail("login with a wrong password succeeded");
		} catch (Exception e) {
			assertThat(e.getMessage(), containsString("wrong password"));
		}
		User u = alice.login("alice", PASSWORD);
		assertEquals("alice", u.getName());
		assertEquals(aliceUser.getKey(), u.getKey());
		assertEquals("alice", alice.status().getAccount());
	}

	@Test
	public void followingAnUnknownNameIsAReadableException() throws Exception {
		String ghost = "ghost_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
		try {
			bob.follow(ghost);
			fail("follow(" + ghost + ") succeeded");
		} catch (Exception e) {
			String msg = e.getMessage();
			assertNotNull("exception without a message", msg);
			assertThat(msg, containsString(ghost));
			assertThat(msg, not(containsString("\n")));
		}
		assertFalse(Loopback.names(bob.following()).contains(ghost));
	}

	@Test
	public void powerModesAndAPostWrittenWhileOff() throws Exception {
		bob.follow("alice");
		aliceEvents.awaitFollower("for bob", DEADLINE_MS, u -> u.getName().equals("bob"));

		for (PowerMode mode : new PowerMode[] {Mobile.powerBackground(), Mobile.powerForeground(), Mobile.powerOff()}) {
			alice.setPowerMode(mode);
			assertEquals("status().getPower() after setPowerMode(" + mode + ")", mode, alice.status().getPower());
		}
		alice.setNetworkType(Mobile.networkCellular());
		assertEquals(Mobile.networkCellular(), alice.status().getNetwork());
		assertNotEquals(Mobile.networkWiFi(), alice.status().getNetwork());
		alice.setNetworkType(Mobile.networkWiFi());

		Loopback.await("alice, off, has no peers", DEADLINE_MS, () -> alice.status().getPeers() == 0);
		Post kept = alice.post("written while off");
		assertNotNull("alice's own feed lacks the post she wrote while off", Loopback.inFeed(alice, kept.getID()));
		assertNull("bob got a post alice wrote while off", Loopback.inFeed(bob, kept.getID()));

		alice.setPowerMode(Mobile.powerForeground());
		Status s = alice.status();
		assertEquals(Mobile.powerForeground(), s.getPower());
		Loopback.await("bob's feed shows the post alice wrote while off", DEADLINE_MS,
				() -> Loopback.inFeed(bob, kept.getID()) != null);
		bobEvents.awaitPost("for the post alice wrote while off", DEADLINE_MS,
				p -> p.getID().equals(kept.getID()));
	}

	@Test
	public void closeIsCleanAndFinal() throws Exception {
		net.close(bob);
		bob.close(); // a second Close is harmless
		try {
			bob.status();
			fail("status() after close() succeeded");
		} catch (Exception e) {
			assertFalse("empty message", e.getMessage() == null || e.getMessage().isEmpty());
		}
		try {
			bob.post("after close");
			fail("post() after close() succeeded");
		} catch (Exception e) {
			assertFalse("empty message", e.getMessage() == null || e.getMessage().isEmpty());
		}
		assertEquals("alice", alice.status().getAccount()); // the other node is unaffected
	}
}
