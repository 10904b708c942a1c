package org.skein.bindtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.skein.mobile.Config;
import org.skein.mobile.FeedPage;
import org.skein.mobile.Mobile;
import org.skein.mobile.Node;
import org.skein.mobile.Post;
import org.skein.mobile.UserList;

/**
 * Loopback starts nodes on 127.0.0.1, each with its own temporary data
 * directory, the way an app configures them, and closes and deletes them all
 * at the end. Not safe for concurrent use.
 */
final class Loopback implements AutoCloseable {
	/** Both transports, on loopback only, on ports the system picks. */
	static final String LISTEN = "/ip4/127.0.0.1/tcp/0 /ip4/127.0.0.1/udp/0/quic-v1";

	private final List<Node> open = new ArrayList<>();
	private final List<Path> dirs = new ArrayList<>();

	/**
	 * Starts a node that bootstraps from bootstrap (addresses, one per line,
	 * or ""). A dhtServer node answers DHT queries, and so holds the name
	 * records, as a relay would.
	 */
	Node start(String bootstrap, boolean dhtServer) throws Exception {
		Path dir = Files.createTempDirectory("skein-jvm-");
		dirs.add(dir);
		Config cfg = Mobile.newConfig();
		cfg.setDataDir(dir.toString());
		cfg.setListenAddrs(LISTEN);
		cfg.setBootstrapAddrs(bootstrap);
		cfg.setDHTServer(dhtServer);
		Node n = Mobile.newNode(cfg);
		open.add(n);
		n.start();
		return n;
	}

	/** Closes n now; close() will not close it again. */
	void close(Node n) throws Exception {
		open.remove(n);
		n.close();
	}

	/** Closes every node still open, then deletes the data directories. */
	@Override
	public void close() throws Exception {
		Exception first = null;
		for (Node n : open) {
			try {
				n.close();
			} catch (Exception e) {
				if (first == null) {
					first = new Exception("Node.close() failed: " + e.getMessage(), e);
				}
			}
		}
		open.clear();
		for (Path dir : dirs) {
			deleteTree(dir);
		}
		dirs.clear();
		if (first != null) {
			throw first;
		}
	}

	/** Deletes dir and everything in it. */
	static void deleteTree(Path dir) throws IOException {
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
				Files.deleteIfExists(p);
			}
		}
	}

	/** A condition polled by await. */
	interface Condition {
		boolean holds() throws Exception;
	}

	/**
	 * Polls cond every 100 ms until it holds; fails with what after timeoutMillis.
	 * An exception from cond fails at once.
	 */
	static void await(String what, long timeoutMillis, Condition cond) throws Exception {
		long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
		while (!cond.holds()) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("timed out after " + timeoutMillis + " ms waiting until " + what);
			}
			Thread.sleep(100);
		}
	}

	/** Returns the post with this ID on the first feed page of n, or null. */
	static Post inFeed(Node n, String id) throws Exception {
		FeedPage page = n.feed("", 100);
		for (long i = 0; i < page.len(); i++) {
			Post p = page.get(i);
			if (p.getID().equals(id)) {
				return p;
			}
		}
		return null;
	}

	/** Returns the names in l. */
	static List<String> names(UserList l) {
		List<String> out = new ArrayList<>();
		for (long i = 0; i < l.len(); i++) {
			out.add(l.get(i).getName());
		}
		return out;
	}
}
