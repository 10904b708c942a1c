package org.skein.bindbench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.skein.mobile.Config;
import org.skein.mobile.FeedPage;
import org.skein.mobile.Mobile;
import org.skein.mobile.Node;
import org.skein.mobile.Post;

/**
 * FeedPaging measures the memory of a JVM whose app pages the feed in a tight
 * loop from several threads (issue 11). Two nodes start on 127.0.0.1, alice's
 * a DHT server; alice posts, bob follows her and catches up, then each thread
 * pages bob's whole feed over and over with node.feed(cursor, limit),
 * page.len() and page.get(i), reading every field of every post and dropping
 * the page. Every second it samples the process's resident memory (VmRSS of
 * /proc/self/status) and the Java heap in use, and at the end it prints RSS
 * before paging, the peak (VmHWM: setup included), the steady RSS and Java
 * heap (medians of the second half of the samples) and pages per second.
 *
 * <pre>
 * java -Djava.library.path=... -cp ... org.skein.bindbench.FeedPaging \
 *     [--seconds 60] [--threads 8] [--posts 2000] [--limit 100] \
 *     [--memory-limit-mib N] [--json] [--label NAME] [--samples FILE]
 * </pre>
 *
 * --json pages with node.feedJSON(cursor, limit) instead, reading every
 * field of every post from the JSON with Gson, as an app would with Gson or
 * Android's org.json.
 *
 * --memory-limit-mib sets Config.MemoryLimitMiB on both nodes; without it
 * they keep NewConfig's default, and -1 sets no limit. --samples writes one
 * line per second: seconds, RSS MiB, Java heap MiB, pages so far.
 */
public final class FeedPaging {
	private static final String LISTEN = "/ip4/127.0.0.1/tcp/0 /ip4/127.0.0.1/udp/0/quic-v1";
	private static final String PASSWORD = "correct horse battery staple";
	private static final long MIB = 1 << 20;

	private int seconds = 60;
	private int threads = 8;
	private int posts = 2000;
	private int limit = 100;
	private Long memoryLimitMiB; // null: NewConfig's default
	private boolean json; // page with feedJSON
	private String label = "run";
	private Path samplesFile;

	private final List<Node> nodes = new ArrayList<>();
	private final List<Path> dirs = new ArrayList<>();

	public static void main(String[] args) throws Exception {
		FeedPaging b = new FeedPaging();
		b.parse(args);
		try {
			b.run();
		} finally {
			b.cleanUp();
		}
		// The exit test (bind/jvm/exit) checks that the JVM exits by
		// itself; a benchmark need not wait on it.
		System.exit(0);
	}

	private void parse(String[] args) {
		for (int i = 0; i < args.length; i++) {
			String a = args[i];
			if (a.equals("--json")) {
				json = true;
				continue;
			}
			if (i + 1 >= args.length) {
				usage("missing value after " + a);
			}
			String v = args[++i];
			try {
				switch (a) {
				case "--seconds": seconds = Integer.parseInt(v); break;
				case "--threads": threads = Integer.parseInt(v); break;
				case "--posts": posts = Integer.parseInt(v); break;
				case "--limit": limit = Integer.parseInt(v); break;
				case "--memory-limit-mib": memoryLimitMiB = Long.parseLong(v); break;
				case "--label": label = v; break;
				case "--samples": samplesFile = Paths.get(v); break;
				default: usage("unknown argument " + a);
				}
			} catch (NumberFormatException e) {
				usage(a + " wants a number, not " + v);
			}
		}
		if (seconds < 1 || threads < 1 || posts < 1 || limit < 1) {
			usage("--seconds, --threads, --posts and --limit must be positive");
		}
	}

	private static void usage(String why) {
		System.err.println("FeedPaging: " + why);
		System.err.println("usage: FeedPaging [--seconds 60] [--threads 8] [--posts 2000] [--limit 100]"
				+ " [--memory-limit-mib N] [--label NAME] [--samples FILE]");
		System.exit(2);
	}

	private Node start(String bootstrap, boolean dhtServer) throws Exception {
		Path dir = Files.createTempDirectory("skein-bench-");
		dirs.add(dir);
		Config cfg = Mobile.newConfig();
		cfg.setDataDir(dir.toString());
		cfg.setListenAddrs(LISTEN);
		cfg.setBootstrapAddrs(bootstrap);
		cfg.setDHTServer(dhtServer);
		if (memoryLimitMiB != null) {
			cfg.setMemoryLimitMiB(memoryLimitMiB);
		}
		Node n = Mobile.newNode(cfg);
		nodes.add(n);
		n.start();
		return n;
	}

	private void run() throws Exception {
		String limitText = memoryLimitMiB == null ? "default " + Mobile.DefaultMemoryLimitMiB + " MiB"
				: memoryLimitMiB < 0 ? "none" : memoryLimitMiB + " MiB";
		System.out.printf("%s: Go memory limit %s; %d threads, %d posts, pages of %d, %d s; JVM max heap %d MiB%n",
				label, limitText, threads, posts, limit, seconds, Runtime.getRuntime().maxMemory() / MIB);

		long t0 = System.nanoTime();
		Node alice = start("", true);
		Node bob = start(alice.addrs(), false);
		await("bob's node connects to alice's", () -> bob.status().getPeers() > 0);
		alice.register("alice", PASSWORD);
		bob.register("bob", PASSWORD);
		for (int i = 0; i < posts; i++) {
			alice.post("post " + i + " of the feed-paging benchmark: a line of text about as long as a short post");
		}
		bob.follow("alice");
		await("bob holds alice's " + posts + " posts", () -> countFeed(bob) >= posts);
		long startRss = rssKiB();
		System.out.printf("%s: setup %.1f s, feed of %d posts, RSS %d MiB%n",
				label, (System.nanoTime() - t0) / 1e9, countFeed(bob), startRss / 1024);

		AtomicBoolean stop = new AtomicBoolean();
		AtomicLong pages = new AtomicLong();
		AtomicLong checksum = new AtomicLong();
		List<Throwable> failures = new ArrayList<>();
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			Thread w = new Thread(() -> {
				try {
					long sum = 0;
					while (!stop.get()) {
						sum += json ? pageAllJSON(bob, pages, stop) : pageAll(bob, pages, stop);
					}
					checksum.addAndGet(sum);
				} catch (Throwable e) {
					synchronized (failures) {
						failures.add(e);
					}
					stop.set(true);
				}
			}, "pager-" + t);
			workers.add(w);
		}
		long start = System.nanoTime();
		workers.forEach(Thread::start);

		int n = seconds;
		long[] rss = new long[n];
		long[] heap = new long[n];
		long[] done = new long[n];
		PrintWriter samples = samplesFile == null ? null : new PrintWriter(Files.newBufferedWriter(samplesFile));
		if (samples != null) {
			samples.println("# seconds rss_mib heap_mib pages");
		}
		Runtime rt = Runtime.getRuntime();
		int got = 0;
		for (int i = 0; i < n && !stop.get(); i++) {
			long next = start + (i + 1) * 1_000_000_000L;
			long wait = next - System.nanoTime();
			if (wait > 0) {
				Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
			}
			rss[i] = rssKiB();
			heap[i] = rt.totalMemory() - rt.freeMemory();
			done[i] = pages.get();
			got = i + 1;
			long rate = done[i] - (i > 0 ? done[i - 1] : 0);
			System.out.printf("%s: %3d s  RSS %5d MiB  Java heap %4d MiB  %5d pages/s%n",
					label, i + 1, rss[i] / 1024, heap[i] / MIB, rate);
			if (samples != null) {
				samples.printf("%d %.1f %.1f %d%n", i + 1, rss[i] / 1024.0, heap[i] / (double) MIB, done[i]);
			}
		}
		stop.set(true);
		for (Thread w : workers) {
			w.join();
		}
		double elapsed = (System.nanoTime() - start) / 1e9;
		if (samples != null) {
			samples.close();
		}
		if (!failures.isEmpty()) {
			throw new Exception("a paging thread failed: " + failures.get(0), failures.get(0));
		}
		if (checksum.get() == 0) {
			throw new Exception("the paging threads read nothing");
		}
		long peak = Math.max(max(rss, got), hwmKiB());
		System.out.printf("%s: RESULT memory-limit=%s start-rss-mib=%d peak-rss-mib=%d steady-rss-mib=%d steady-heap-mib=%d pages-per-s=%.0f posts-per-s=%.0f%n",
				label, limitText.replace(' ', '-'), startRss / 1024, peak / 1024, median(rss, got) / 1024,
				median(heap, got) / MIB, pages.get() / elapsed, pages.get() * (double) limit / elapsed);
	}

	/**
	 * Pages through the whole feed of n once and returns a checksum of what
	 * it read, counting each page in pages.
	 */
	private long pageAll(Node n, AtomicLong pages, AtomicBoolean stop) throws Exception {
		long sum = 0;
		String cursor = "";
		do {
			FeedPage page = n.feed(cursor, limit);
			long len = page.len();
			for (long i = 0; i < len; i++) {
				Post p = page.get(i);
				sum += p.getID().length() + p.getKind().length() + p.getAuthor().length()
						+ p.getAuthorKey().length() + p.getText().length() + p.getSeq() + p.getTimeMillis()
						+ p.getReplyToID().length() + p.getRepostOfID().length();
			}
			cursor = page.nextCursor();
			pages.incrementAndGet();
		} while (!cursor.isEmpty() && !stop.get());
		return sum;
	}

	/** pageAll with feedJSON, reading the posts with Gson. */
	private long pageAllJSON(Node n, AtomicLong pages, AtomicBoolean stop) throws Exception {
		long sum = 0;
		String cursor = "";
		do {
			JsonObject page = JsonParser.parseString(new String(n.feedJSON(cursor, limit), StandardCharsets.UTF_8))
					.getAsJsonObject();
			for (JsonElement e : page.getAsJsonArray("posts")) {
				JsonObject p = e.getAsJsonObject();
				sum += p.get("id").getAsString().length() + p.get("kind").getAsString().length()
						+ p.get("author").getAsString().length() + p.get("author_key").getAsString().length()
						+ p.get("text").getAsString().length() + p.get("seq").getAsLong()
						+ p.get("time").getAsString().length()
						+ (p.has("reply_to") ? p.getAsJsonObject("reply_to").get("id").getAsString().length() : 0)
						+ (p.has("repost_of") ? p.getAsJsonObject("repost_of").get("id").getAsString().length() : 0);
			}
			cursor = page.has("next") ? page.get("next").getAsString() : "";
			pages.incrementAndGet();
		} while (!cursor.isEmpty() && !stop.get());
		return sum;
	}

	/** Returns the number of posts in n's feed. */
	private int countFeed(Node n) throws Exception {
		int count = 0;
		String cursor = "";
		do {
			FeedPage page = n.feed(cursor, 500);
			count += page.len();
			cursor = page.nextCursor();
		} while (!cursor.isEmpty());
		return count;
	}

	/** Median of the second half of the first n values. */
	private static long median(long[] v, int n) {
		if (n == 0) {
			return 0;
		}
		long[] half = Arrays.copyOfRange(v, n / 2, n);
		Arrays.sort(half);
		return half[half.length / 2];
	}

	private static long max(long[] v, int n) {
		long m = 0;
		for (int i = 0; i < n; i++) {
			m = Math.max(m, v[i]);
		}
		return m;
	}

	private static long rssKiB() throws IOException {
		return statusKiB("VmRSS:");
	}

	private static long hwmKiB() throws IOException {
		return statusKiB("VmHWM:");
	}

	/** Returns a "Name: N kB" field of /proc/self/status. */
	private static long statusKiB(String field) throws IOException {
		for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
			if (line.startsWith(field)) {
				return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
			}
		}
		throw new IOException("/proc/self/status has no " + field);
	}

	interface Condition {
		boolean holds() throws Exception;
	}

	/** Polls cond every 100 ms for up to 60 s. */
	private static void await(String what, Condition cond) throws Exception {
		long deadline = System.nanoTime() + 60_000_000_000L;
		while (!cond.holds()) {
			if (System.nanoTime() - deadline > 0) {
				throw new Exception("timed out after 60 s waiting until " + what);
			}
			Thread.sleep(100);
		}
	}

	private void cleanUp() throws Exception {
		for (Node n : nodes) {
			n.close();
		}
		for (Path dir : dirs) {
			try (Stream<Path> paths = Files.walk(dir)) {
				for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
					Files.deleteIfExists(p);
				}
			}
		}
	}
}
