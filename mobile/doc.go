// Package mobile is Skein's API for Android and iOS apps, bound with
// gomobile: `gomobile bind` turns it into skein.aar (Java/Kotlin package
// org.skein.mobile) and Skein.xcframework (Objective-C/Swift prefix Skein).
//
// It is a thin adapter over package core and uses only the types gomobile
// can bind: strings, signed integers, booleans, byte slices, pointers to the
// structs declared here and the Listener interface. Lists come as small
// types with Len and Get; address lists are strings separated by spaces,
// commas or newlines. Every method blocks until it is done (network calls
// are bounded by timeouts), so call them off the UI thread. Errors carry a
// message an app can show as it is.
//
// # Kotlin (Android)
//
//	import org.skein.mobile.Mobile
//
//	val cfg = Mobile.newConfig().apply {
//	    dataDir = context.filesDir.resolve("skein").path
//	    bootstrapAddrs = "/dns4/relay.example.org/tcp/4001/p2p/12D3KooW..."
//	}
//	val node = Mobile.newNode(cfg)
//	node.start()
//	node.setListener(object : org.skein.mobile.Listener {
//	    override fun onPost(p: org.skein.mobile.Post) { /* on a Go thread: post to the UI thread */ }
//	    override fun onFollower(u: org.skein.mobile.User) {}
//	    override fun onNotification(n: org.skein.mobile.Notification) {}
//	    override fun onConnectivity(peers: Long) {}
//	})
//	try {
//	    node.login("alice", password)
//	} catch (e: Exception) {
//	    showError(e.message) // "wrong password", "no such account on this device: ..."
//	}
//	node.post("hello from my phone")
//	val page = node.feed("", 50)
//	for (i in 0 until page.len()) println(page.get(i).text)
//	// Activity lifecycle:
//	node.setPowerMode(Mobile.PowerBackground) // onStop
//	node.setPowerMode(Mobile.PowerForeground) // onStart
//	node.close()
//
// # Java
//
//	Config cfg = Mobile.newConfig();
//	cfg.setDataDir(dir);
//	Node node = Mobile.newNode(cfg);
//	node.start();
//	node.register("alice", password);
//	node.follow("bob");
//	FeedPage page = node.feed("", 50);
//
// # Swift (iOS)
//
//	import Skein
//
//	let cfg = SkeinMobileNewConfig()!
//	cfg.dataDir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0].path
//	var err: NSError?
//	let node = SkeinMobileNewNode(cfg, &err)!
//	try node.start()
//	try node.login("alice", password: password)
//	try node.post("hello from my phone", error: ())
//	try node.setPowerMode(SkeinMobilePowerBackground) // sceneDidEnterBackground
//
// # Power modes
//
// The power state machine lives in core; this package only forwards. In
// PowerForeground the node receives posts live. In PowerBackground it keeps
// no connection open and wakes every Config.BackgroundSyncMinutes (default
// 15) for one batched sync with at most three peers. In PowerOff it uses no
// network at all; posts are kept and published when the node is next online.
// SetNetworkType tells the node whether the network is Wi-Fi, cellular
// (metered: no eager transfers) or absent.
package mobile
