// Package mobile is Skein's API for Android and iOS apps, bound with
// gomobile: `gomobile bind` turns it into skein.aar (Java/Kotlin package
// org.skein.mobile, functions on class Mobile) and Skein.xcframework
// (Objective-C/Swift prefix SkeinMobile).
//
// # Everything core can do
//
// The API carries all of package core's, in the same change as core gains
// it: every Node method, every field of what they return, every event and
// every error. TestSurfaceMethods, TestSurfaceFields, TestSurfaceEvents and
// TestCoreErrorsHaveCodes fail when core exports something this package
// does not carry, and the JVM test ApiTest (make jvm-test) fails when a
// method here is not called from Java. The whole API:
//
//   - Lifecycle: NewConfig, NewNode, Node.Start, Node.Close, Node.PeerID,
//     Node.Addrs, Node.SetListener.
//   - Accounts: Register, Login, Logout, Accounts (the names on this
//     device), ExportPhrase and ExportKeyFile, RestorePhrase and
//     RestoreKeyFile (on a new phone).
//   - Posts: Post, Reply, Repost, Delete, Feed and Timeline (paged by
//     cursor), FeedJSON and TimelineJSON (the same pages as JSON bytes).
//   - Likes and threads: Like, Unlike (each Post carries Likes and
//     Liked), Thread (a post's ancestors and replies as a flat list with
//     Depth and ParentID) and ThreadJSON.
//   - People: Follow, Unfollow, Following, Followers, Whois (a profile),
//     Notifications, SetProfile (display name, bio, link).
//   - Moderation and bookmarks, private to the device: Mute, Unmute,
//     Muted, Block, Unblock, Blocked; Bookmark, Unbookmark, Bookmarks
//     (paged as Feed); Post.Bookmarked.
//   - Search: Search (users and posts this device holds, and users
//     from the relays' directories; SearchResults).
//   - Messaging, end-to-end encrypted: SendDM, SendMessage, Conversations
//     (with unread counts), Conversation, Messages (history paged by
//     cursor) and MessagesJSON, MarkRead, SearchMessages (on this
//     device); groups: CreateGroup, Invite, Join, Leave, Remove, SetRole,
//     Members, SearchGroups (public groups by name). See "Messaging".
//   - Media (see "Media"): ImportMedia (image bytes and a MediaInput:
//     type, dimensions, alt text, a thumbnail made by the app),
//     PostWithMedia, ReplyWithMedia, SetAvatar, SetBanner, RemoveAvatar,
//     RemoveBanner, FetchMedia (with a MediaListener for progress),
//     MediaBytes, MediaUsage, PruneMedia; albums: CreateAlbum, AddToAlbum,
//     RemoveFromAlbum, DropAlbum, Albums, Album, MirrorAlbum, Unmirror,
//     Mirrors. Post.Media, User.Avatar and User.Banner.
//   - Writes safe to retry: Node.Request(id) returns the post, reply,
//     repost, delete, like, unlike, follow, unfollow, profile and posts and
//     replies with media that are done at most once for
//     the request ID id, for an app that queues writes and retries them,
//     even after its process was killed.
//   - The node: Status (account, counts, power mode, network type,
//     reachability, hole punching, relays), Peers (open connections),
//     SetPowerMode, SetNetworkType.
//
// It uses only the types gomobile binds: strings, int (long in Java,
// Int in Swift), bool, byte slices, pointers to the structs declared here
// and the Listener and MediaListener interfaces. Lists come as small types
// with Len and Get (FeedPage, UserList, PostList, NotificationList,
// ConnectionList, HolderList, StringList, ConversationList, MessagePage,
// MessageList, MemberList, GroupResultList, MediaList, AlbumList):
//
//	for (i in 0 until list.len()) use(list.get(i))
//
// Every method blocks until it is done (a call that uses the network gives
// up after 30 seconds), so call them off the UI thread; every method is
// safe to call from any thread. Times are milliseconds since the Unix
// epoch, 0 when unknown.
//
// # Errors
//
// Every error carries a code: Mobile.errorCode(e) in Java and Kotlin,
// SkeinMobileErrorCode(error as NSError) in Swift, one of the Code constants, with a
// stable number and a stable name (ErrorCodeName). The message is one line
// for people, at most 300 bytes, and quotes at most 40 characters of what
// was given:
//
//	CodeInvalidInput   a missing (null or empty) or malformed argument
//	CodeInvalidName    a username that is not 3 to 32 of a-z, 0-9 and _
//	CodeInvalidPost    post or reply text empty, too long, or with control characters
//	CodeWrongPassword  the password does not open the account or key file
//	CodeNoAccount      no account with this name on this device
//	CodeAccountExists  an account with this name is on this device already
//	CodeUnknownName    nobody has claimed this name
//	CodeNameTaken      someone else holds this name
//	CodeNameConflict   several keys claim the name and nothing decides
//	CodeNotLoggedIn    the call needs a logged-in account
//	CodeLoggedIn       log out first
//	CodeRestoring      a restored account's log is still being fetched
//	CodeBadSecret      not a valid recovery phrase or key file
//	CodeNoPost         no post with this ID
//	CodeNotYours       someone else's post
//	CodeNotFollowing   unfollowing someone not followed
//	CodeSelfFollow     following oneself
//	CodeNetwork        no peer connected, or the network did not answer in time
//	CodeNoSpace        the disk is full; nothing is lost, writes resume once there is room
//	CodeDataDirInUse   another node has the data directory open
//	CodeNotStarted     call Start first
//	CodeStarted        Start was called already
//	CodeClosed         the node is closed
//	CodeSelfMute       muting or blocking oneself
//	CodeBlocked        the posts of a blocked user: unblock them first
//	CodeListFull       a mute, block or bookmark list is full: remove some first
//	CodeNotLiked       unliking a post not liked
//	CodeBadQuery       a search query empty, too long or not text, or a bad kind or limit
//	CodeNoConversation no conversation with this ID, ID prefix or group name, and no such user
//	CodeAmbiguous      a group name or ID prefix matching several conversations: give more of the ID
//	CodeNotMember      not (or no longer) a member of the group, or the name is not a member
//	CodeNotAdmin       the change needs an admin of the group
//	CodeInviteInvalid  no invitation to accept, or it expired or was used
//	CodeInvalidMessage message text empty, too long, or with control characters
//	CodeNoPrekey       the user's encryption key cannot be fetched now: their device and the relays do not answer
//	CodeSelfMessage    a direct message to oneself
//	CodeInvalidMedia   media refused: a type not allowed or not what its bytes are, a bad thumbnail, root, slug or alt text, too many images
//	CodeMediaTooLarge  a file over MaxMediaSize (64 MiB)
//	CodeNoMedia        media this device does not hold and no peer that has it answered
//	CodeNoAlbum        no album with this slug, or not one this device mirrors
//	CodeInternal       anything else; the message says what
//
// Java's null and Swift's nil arrive as "" for a string: an argument that
// must have a value (a name, a password, post or message text, a post ID,
// a conversation or group) is refused
// with CodeInvalidInput when it is null or empty; a cursor of null or ""
// means the first page. A null PowerMode or NetworkType is refused too.
//
// # Limits
//
// MaxPostChars (1,000 Unicode code points: Java's codePointCount, not
// length()), DefaultPageSize (20) and MaxPageSize (500, the most a page
// holds whatever the limit asked), EventQueueDepth (256: a listener that
// falls further behind loses the newest events). Messaging: MaxMessageChars
// (4,000 code points), DefaultMessagePage (50) and MaxMessagePage (200),
// DefaultInviteMinutes (7 days) and MaxInviteMinutes (30 days). Media:
// MaxMediaSize (64 MiB), MaxMediaPerPost (4), MaxThumbSize (16 KiB),
// MaxAvatarSize (4 MiB), MediaTimeoutMinutes (10: FetchMedia, MediaBytes
// and MirrorAlbum give up after it, and resume when called again).
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
//	    override fun onPost(p: Post) { /* on a Go thread: post to the UI thread */ }
//	    override fun onDelete(p: Post) { /* remove p.id from the screen */ }
//	    override fun onFollower(u: User) {}
//	    override fun onUnfollow(u: User) {}
//	    override fun onNotification(n: Notification) {}
//	    override fun onConnectivity(peers: Long) {}
//	    override fun onMessage(m: Message, c: Conversation) { /* m.text in c; c.unread */ }
//	    override fun onMembers(c: Conversation) {}
//	    override fun onInvite(c: Conversation) { /* offer node.join(c.id) */ }
//	})
//	try {
//	    node.login("alice", password)
//	} catch (e: Exception) {
//	    when (Mobile.errorCode(e)) {
//	        Mobile.CodeWrongPassword -> showPasswordError()
//	        Mobile.CodeNoAccount -> offerRegisterOrRestore()
//	        else -> showError(e.message)
//	    }
//	}
//	val post = node.post("hello from my phone")
//	node.reply(post.id, "and a reply")
//	val page = node.feed("", 50)
//	for (i in 0 until page.len()) println(page.get(i).text)
//	val more = node.feed(page.nextCursor(), 50)
//	val bob = node.whois("bob")          // a profile page
//	val posts = node.timeline("bob", "", 50)
//	// Settings → "Back up my account", after a warning:
//	val words = node.exportPhrase(password)
//	// On a new phone:
//	node.restorePhrase("alice", words, newPassword)
//	// Activity lifecycle:
//	node.setPowerMode(Mobile.powerBackground()) // onStop
//	node.setPowerMode(Mobile.powerForeground()) // onStart
//	node.setNetworkType(Mobile.networkCellular()) // from ConnectivityManager
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
//	for (long i = 0; i < page.len(); i++) show(page.get(i));
//	if (node.status().getPower().equals(Mobile.powerOff())) { ... }
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
//	do {
//	    try node.login("alice", password: password)
//	} catch {
//	    switch Int64(SkeinMobileErrorCode(error as NSError)) {
//	    case SkeinMobileCodeWrongPassword: showPasswordError()
//	    default: showError(error.localizedDescription)
//	    }
//	}
//	final class Events: NSObject, SkeinMobileListenerProtocol {
//	    func onPost(_ p: SkeinMobilePost?) { DispatchQueue.main.async { /* show p */ } }
//	    func onDelete(_ p: SkeinMobilePost?) {}
//	    func onFollower(_ u: SkeinMobileUser?) {}
//	    func onUnfollow(_ u: SkeinMobileUser?) {}
//	    func onNotification(_ n: SkeinMobileNotification?) {}
//	    func onConnectivity(_ peers: Int) {}
//	    func onMessage(_ m: SkeinMobileMessage?, c: SkeinMobileConversation?) {}
//	    func onMembers(_ c: SkeinMobileConversation?) {}
//	    func onInvite(_ c: SkeinMobileConversation?) {}
//	}
//	node.setListener(Events())
//	let post = try node.post("hello from my phone")
//	_ = try node.reply(post.id_, text: "and a reply")
//	_ = try node.repost(post.id_)
//	let page = try node.feed("", limit: 50)
//	for i in 0..<page.len() { show(page.get(i)!) }
//	let bob = try node.whois("bob")
//	let bobsPosts = try node.timeline("bob", cursor: "", limit: 50)
//	let words = try node.exportPhrase(password) // after a warning
//	_ = try node.restorePhrase("alice", phrase: words, password: newPassword) // on a new phone
//	try node.setPowerMode(SkeinMobilePowerBackground()) // sceneDidEnterBackground
//	try node.setPowerMode(SkeinMobilePowerForeground()) // sceneWillEnterForeground
//
// # Messaging
//
// Direct messages and group chats are end-to-end encrypted (public groups
// are not: anyone may read and join them). A DM is a two-member group; a
// DM's conversation ID is derived from the two accounts. Methods that take
// a conversation accept its ID (Conversation.ID), a unique prefix of it
// (8 hex digits or more), the name of a group the account is in, or a
// username for the DM with that user; those that take a group accept the
// same but a username. Messages arrive through Listener.OnMessage with
// the conversation as it is then (its Unread and Last), the account's own
// included; a conversation the account left or was removed from keeps its
// history and has Role "". OnInvite reports an
// invitation (Conversation.Role "invited"), accepted with Join; OnMembers a
// change of a group's members or roles. History comes newest first, paged
// as the feed; a Message with Event set is a row that marks a change
// ("alice invited bob", in Text) or a gap: Missing messages of Author that
// have not arrived yet and take their place when they do. A name this
// device has not learned yet shows as "@" and the key's first 8 hex digits
// (Author, Member.Name, a DM's Conversation.Name); the key is in AuthorKey,
// Member.Key, Conversation.Peer.
//
//	node.sendDM("bob", "lunch?")
//	val g = node.createGroup("book club", false, false) // private; new members read the history
//	node.invite(g.id, "carol", false, 0)                 // carol's onInvite; she calls join(g.id)
//	node.sendMessage("book club", "first chapter?")
//	val page = node.messages(g.id, "", 50)               // newest first
//	for (i in 0 until page.len()) show(page.get(i))
//	val older = node.messages(g.id, page.nextCursor(), 50)
//	node.markRead(g.id)
//	val convs = node.conversations()                     // most recent first, with unread counts
//	node.remove(g.id, "carol")                           // admins only: re-keys the group
//
// # Media
//
// Images are files named by the BLAKE3 root of their bytes (Media.Root, 64
// hex digits); every byte is verified against the root before it is
// stored or returned, and a download takes pieces from every peer that
// has the file at once (the author's device, holders of the author's log,
// relays). The library links no image decoder: the app reads an image's
// dimensions and makes its thumbnail (at most MaxThumbSize, JPEG, PNG or
// WebP) and, if it likes, a blurhash natively, and passes the bytes.
// ImportMedia refuses a type not allowed (JPEG, PNG, GIF and WebP for
// posts and profiles; albums take other files) and a type the bytes
// contradict (a PNG declared image/jpeg) with CodeInvalidMedia:
//
//	val opts = BitmapFactory.Options().apply { inJustDecodeBounds = true }
//	BitmapFactory.decodeByteArray(bytes, 0, bytes.size, opts)
//	val small = ThumbnailUtils.extractThumbnail(BitmapFactory.decodeByteArray(bytes, 0, bytes.size), 128, 128)
//	val thumb = ByteArrayOutputStream().also { small.compress(Bitmap.CompressFormat.JPEG, 70, it) }.toByteArray()
//	val in = Mobile.newMediaInput(opts.outMimeType, opts.outWidth.toLong(), opts.outHeight.toLong())
//	in.setAlt(altText)
//	in.setThumb(thumb)
//	val m = node.importMedia(bytes, in)    // stored here, never evicted
//	val list = Mobile.newMediaList(); list.add(m)
//	node.postWithMedia("look", list)       // up to MaxMediaPerPost images; the text may be ""
//
// Post.Media lists a post's images (an empty list when none; FeedJSON has
// them as "media"). Show each one's Blurhash, then its thumbnail, then the
// image when opened; MediaBytes takes a Media's Thumb as well as its Root,
// fetches what this device does not hold and returns verified bytes only:
//
//	val img = post.media.get(0)
//	val bmp = BitmapFactory.decodeByteArray(node.mediaBytes(img.thumb), …)
//
// FetchMedia downloads without returning the bytes and reports progress
// (pieces, bytes verified, peers, rate) to a MediaListener, on a thread of
// the library's. SetAvatar and SetBanner take an image from ImportMedia
// (at most MaxAvatarSize); User.Avatar and Profile.Avatar carry it (null
// if none). Albums are named collections in the author's log (slug: 1 to
// 32 of a-z 0-9 - _): CreateAlbum, then AddToAlbum with files imported
// with a name (MediaInput.SetName). MirrorAlbum keeps a copy of someone's
// album, pinned, and fetches what they add later; on a phone the files
// stay in the library (MediaBytes), not in a directory.
//
// Storage is bounded: the account's own media and mirrored albums are
// never evicted; thumbnails and avatars (Config.ThumbCacheMiB, default
// 64) and other cached images (Config.MediaCacheMiB, default min(1 GiB,
// 10 % of the free space)) are evicted least recently used first.
// MediaUsage reports the space by tier; PruneMedia evicts now (call it
// from onTrimMemory).
//
// # Power modes
//
// The power state machine lives in core; this package only forwards. In
// PowerForeground the node receives posts live. In PowerBackground it keeps
// no connection open and wakes every Config.BackgroundSyncMinutes (default
// 15) for one batched sync with at most three peers. In PowerOff it uses no
// network at all; posts are kept and published when the node is next online.
// SetNetworkType tells the node whether the network is Wi-Fi, cellular
// (metered: no eager transfers) or absent. PowerMode and NetworkType are
// types of their own, built by PowerForeground() and the like, so that one
// cannot be passed for the other; two are equal when their names are.
//
// # Memory, and pages as JSON
//
// Every object the library returns is a Java or Swift proxy that keeps its
// Go counterpart alive until the proxy is collected, and the platform's
// collector does not see that memory: copy what you show into your own
// objects and drop pages and posts promptly. Config.MemoryLimitMiB (default
// DefaultMemoryLimitMiB, 64) sets the Go runtime's soft memory limit for the
// whole process, so that Go collects sooner and returns freed memory, but it
// cannot free what proxies still hold.
//
// A screen that pages a lot (a scrolling feed or chat history) should use
// FeedJSON, TimelineJSON and MessagesJSON: a page is one byte array,
// nothing of it stays in Go, and it is one call into Go rather than one
// per post and field. In the benchmark
// of docs/BENCHMARKS.md (8 threads paging the feed of a JVM with a
// phone-sized heap) it is the way that keeps the process under 150 MiB. The
// document is the daemon API's (`skein feed --json`):
//
//	{"posts": [{"id": "…64 hex digits…", "kind": "post", "author": "alice",
//	            "author_key": "…64 hex digits…", "seq": 12,
//	            "time": "2026-12-04T20:15:03.123Z", "text": "hello",
//	            "reply_to": {"id": "…", "author": "bob", "author_key": "…", "seq": 3},
//	            "repost_of": {…a post…}, "unavailable": true}],
//	 "next": "11"}
//
// reply_to, repost_of and unavailable appear only when set, next only when
// there is a next page; a repost's text is "" and its original is
// repost_of. Android reads it with org.json or Gson, iOS with JSONDecoder.
//
// # Desktop JVM
//
// Listener methods run on a Go thread that detaches from the JVM when the
// listener is removed or the node is closed. Other Go threads that called
// into Java (to release a listener Java dropped, for one) stay attached as
// long as the process runs; gomobile attaches them as non-daemon threads,
// which keep a JVM from exiting when main returns. The desktop build of
// make jvm-test (bind/jvm-build.sh) attaches them as daemons instead; an app
// on gomobile's own glue must call System.exit after close(). Android and
// iOS apps are not affected: their processes do not end when main returns.
//
// # Listener threads
//
// Listener methods run one at a time, in order, on a thread the node owns:
// hand the event to the UI thread and return. SetListener never waits for a
// running call, so a listener may call back into the node (but not Close).
package mobile
