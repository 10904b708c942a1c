package org.skein.demo.core;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

import org.skein.mobile.Config;
import org.skein.mobile.Mobile;
import org.skein.mobile.Node;

/**
 * Real nodes of the binding for the tests: each in its own temporary data
 * directory, listening on 127.0.0.1 only. {@link #close} closes every
 * client and node made here, newest first, and deletes the directories.
 *
 * <p>The network of the two-user tests is the app's: phones' nodes (DHT
 * clients, as package mobile makes them by default) that join through a
 * relay. A username lookup needs a DHT server to hold the name records;
 * two client nodes alone fail to follow ("no user with this name"). The
 * relay here is {@link #relay()}: a node of the binding with
 * Config.DHTServer set and no account, in this process, standing in for
 * `skein relay`. Alice's node bootstraps from it, and Bob's from it and
 * from Alice's node ({@code cfgB.setBootstrapAddrs(relay + nodeA.addrs())}).
 * (A DHT server that is also a user's node works too, but each register on
 * it waits 5 s for a routing table of other servers, which it never gets.)
 */
final class TestNodes implements AutoCloseable {
    static final String LOOPBACK = "/ip4/127.0.0.1/tcp/0 /ip4/127.0.0.1/udp/0/quic-v1";

    private final List<NodeClient> clients = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    /** A new data directory, deleted by close. */
    Path dataDir() throws IOException {
        Path dir = Files.createTempDirectory("skein-node");
        dirs.add(dir);
        return dir;
    }

    /** A config for a new node: fresh data dir, loopback addresses, these bootstrap addresses. */
    Config config(String bootstrapAddrs) throws IOException {
        Config cfg = Mobile.newConfig();
        cfg.setDataDir(dataDir().toString());
        cfg.setListenAddrs(LOOPBACK);
        cfg.setBootstrapAddrs(bootstrapAddrs == null ? "" : bootstrapAddrs);
        return cfg;
    }

    /** A node made from cfg, not started, wrapped in a client; both closed by close. */
    NodeClient client(Config cfg) throws Exception {
        Node node = Mobile.newNode(cfg);
        nodes.add(node);
        NodeClient c = new NodeClient(node);
        clients.add(c);
        return c;
    }

    /** A started node that answers DHT queries (holds name records, as a relay does); no account on it. */
    NodeClient relay() throws Exception {
        Config cfg = config("");
        cfg.setDHTServer(true);
        NodeClient c = client(cfg);
        c.ensureStarted();
        return c;
    }

    /** A started node (a phone's: DHT client) that bootstraps from bootstrapAddrs, wrapped in a client. */
    NodeClient started(String bootstrapAddrs) throws Exception {
        NodeClient c = client(config(bootstrapAddrs));
        c.ensureStarted();
        return c;
    }

    /** A client made from settings (it creates its own node). */
    NodeClient fromSettings(NodeSettings settings) throws Exception {
        NodeClient c = new NodeClient(settings);
        clients.add(c);
        return c;
    }

    @Override
    public void close() throws IOException {
        // Newest first: the relay last (closing it before its clients costs seconds).
        for (int i = clients.size() - 1; i >= 0; i--) {
            clients.get(i).close();
        }
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            try {
                n.close();
            } catch (Exception ignored) {
                // closed already
            }
        }
        for (Path d : dirs) {
            deleteTree(d);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<Path>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.deleteIfExists(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
