package org.skein.bindexit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.skein.mobile.Config;
import org.skein.mobile.Conversation;
import org.skein.mobile.Listener;
import org.skein.mobile.Message;
import org.skein.mobile.Mobile;
import org.skein.mobile.Node;
import org.skein.mobile.Notification;
import org.skein.mobile.Post;
import org.skein.mobile.User;

/**
 * ExitAfterClose checks that a desktop JVM exits by itself once main returns
 * after close(): Go threads that called into Java must not keep it alive.
 * Two nodes start on 127.0.0.1; bob's listener receives a post of alice's on
 * a Go thread; both nodes close, and main returns without System.exit.
 * bind/jvm-test.sh runs it under timeout(1): if the JVM is still there after
 * "main returns" is printed, something it cannot see keeps it alive. A
 * failure before that exits with status 1 at once.
 */
public final class ExitAfterClose {
	private static final String LISTEN = "/ip4/127.0.0.1/tcp/0 /ip4/127.0.0.1/udp/0/quic-v1";
	private static final String PASSWORD = "correct horse battery staple";

	public static void main(String[] args) {
		try {
			run();
		} catch (Throwable e) {
			System.out.println("ExitAfterClose: FAIL before main returns: " + e);
			e.printStackTrace(System.out);
			System.exit(1);
		}
		System.out.println("ExitAfterClose: main returns");
	}

	private static void run() throws Exception {
		Path aliceDir = Files.createTempDirectory("skein-exit-");
		Path bobDir = Files.createTempDirectory("skein-exit-");
		Node alice = start(aliceDir, "", true);
		Node bob = start(bobDir, alice.addrs(), false);
		CountDownLatch heard = new CountDownLatch(1);
		bob.setListener(new Listener() {
			@Override
			public void onPost(Post p) {
				if (p.getAuthor().equals("alice")) {
					heard.countDown();
				}
			}

			@Override
			public void onFollower(User u) {}

			@Override
			public void onUnfollow(User u) {}

			@Override
			public void onDelete(Post p) {}

			@Override
			public void onNotification(Notification n) {}

			@Override
			public void onConnectivity(long peers) {}

			@Override
			public void onMessage(Message m, Conversation c) {}

			@Override
			public void onMembers(Conversation c) {}

			@Override
			public void onInvite(Conversation c) {}
		});
		alice.register("alice", PASSWORD);
		bob.register("bob", PASSWORD);
		bob.follow("alice");
		// Posted until one arrives: live delivery needs the GossipSub mesh,
		// which forms within a second or so of the follow.
		for (int i = 0; !heard.await(1, TimeUnit.SECONDS); i++) {
			if (i == 30) {
				throw new Exception("bob's listener heard no post of alice's in 30 s");
			}
			alice.post("hello " + i);
		}
		System.out.println("ExitAfterClose: bob's listener heard alice's post on a Go thread");
		// Dropped, the listener is released by a Go finalizer, which calls
		// into Java from a thread of Go's: reading the feed allocates
		// enough for Go to collect garbage, and so to run it, a few times.
		bob.setListener(null);
		for (int i = 0; i < 3000; i++) {
			bob.feed("", 100);
		}
		bob.close();
		alice.close();
		deleteTree(aliceDir);
		deleteTree(bobDir);
	}

	private static Node start(Path dir, String bootstrap, boolean dhtServer) throws Exception {
		Config cfg = Mobile.newConfig();
		cfg.setDataDir(dir.toString());
		cfg.setListenAddrs(LISTEN);
		cfg.setBootstrapAddrs(bootstrap);
		cfg.setDHTServer(dhtServer);
		Node n = Mobile.newNode(cfg);
		n.start();
		return n;
	}

	private static void deleteTree(Path dir) throws Exception {
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
				Files.deleteIfExists(p);
			}
		}
	}
}
