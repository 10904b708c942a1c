package mobile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/skein-p2p/skein/core"
)

// Power modes for SetPowerMode and Config.PowerMode.
const (
	PowerForeground = int(core.PowerForeground) // the app is visible: live delivery
	PowerBackground = int(core.PowerBackground) // periodic batched sync, no open connections between syncs
	PowerOff        = int(core.PowerOff)        // no network; posts are queued
)

// Network types for SetNetworkType.
const (
	NetworkWiFi     = int(core.NetworkWiFi)     // unmetered: Wi-Fi or wired
	NetworkCellular = int(core.NetworkCellular) // metered: no eager transfers
	NetworkNone     = int(core.NetworkNone)     // no network
)

const (
	callTimeout = 30 * time.Second // bounds each call that may use the network
	maxConns    = 32               // connections a phone keeps in foreground
)

// Config configures a Node. Create it with NewConfig, which fills in the
// defaults, then set the fields.
type Config struct {
	// DataDir is where the node keeps its store and keys: an app-private
	// directory. Required.
	DataDir string
	// ListenAddrs are multiaddrs to listen on, separated by spaces, commas
	// or newlines. Empty: every interface, ports chosen by the system.
	ListenAddrs string
	// BootstrapAddrs are full multiaddrs (ending in /p2p/<id>) of relays
	// or other nodes to join the network through, separated like
	// ListenAddrs. Empty: the node dials nobody on its own.
	BootstrapAddrs string
	// RelayAddrs are full multiaddrs of circuit relays to stay reachable
	// through behind a NAT, separated like ListenAddrs. Bootstrap peers
	// that run a relay service are used without being listed here.
	RelayAddrs string
	// StoreForward asks store-and-forward relays to keep the logs the
	// account follows, so that a background wake syncs with one peer. The
	// relay learns whom the account follows.
	StoreForward bool
	// BackgroundSyncMinutes is how often a node in PowerBackground wakes
	// for its batched sync. Default 15.
	BackgroundSyncMinutes int
	// PowerMode is the mode the node starts in. Default PowerForeground.
	PowerMode int
	// DHTServer makes the node answer DHT queries for others, as relays
	// do. Phones leave it off; a device on mains power and an unmetered
	// network may turn it on, and so do tests without a relay.
	DHTServer bool
	// MemoryLimitMiB is the Go runtime's soft memory limit in MiB, set by
	// Start: Go collects garbage more often as its memory nears it and
	// returns freed memory to the system. The limit is process-wide, as Go
	// has one heap per process, so the last node started sets it for all.
	// It counts Go's memory only, not Java's, Swift's or C's. 0 means the
	// default, DefaultMemoryLimitMiB; a negative value leaves the limit as
	// it is (the GOMEMLIMIT environment variable if set, else none).
	MemoryLimitMiB int
}

// NewConfig returns a Config with the defaults filled in.
func NewConfig() *Config {
	return &Config{BackgroundSyncMinutes: 15, PowerMode: PowerForeground, MemoryLimitMiB: DefaultMemoryLimitMiB}
}

// Node is a Skein node on the device. Create it with NewNode, then Start it.
// Its methods are safe to call from any thread.
type Node struct {
	cfg         core.Config
	memLimitMiB int // Config.MemoryLimitMiB

	mu       sync.Mutex
	node     *core.Node
	closed   bool
	listener Listener
	watcher  *watcher       // calls listener; nil if none
	watchers sync.WaitGroup // every watcher goroutine, stopped or not
}

// NewNode checks cfg and returns a Node that is not started yet.
func NewNode(cfg *Config) (*Node, error) {
	if cfg == nil {
		return nil, errors.New("no configuration given")
	}
	if strings.TrimSpace(cfg.DataDir) == "" {
		return nil, errors.New("no data directory configured")
	}
	mode, err := powerMode(cfg.PowerMode)
	if err != nil {
		return nil, err
	}
	if cfg.BackgroundSyncMinutes < 0 {
		return nil, fmt.Errorf("background sync interval of %d minutes: it must be positive", cfg.BackgroundSyncMinutes)
	}
	dhtMode := core.DHTClient
	if cfg.DHTServer {
		dhtMode = core.DHTServer
	}
	return &Node{memLimitMiB: cfg.MemoryLimitMiB, cfg: core.Config{
		DataDir:        cfg.DataDir,
		ListenAddrs:    splitAddrs(cfg.ListenAddrs),
		BootstrapAddrs: splitAddrs(cfg.BootstrapAddrs),
		RelayAddrs:     splitAddrs(cfg.RelayAddrs),
		StoreForward:   cfg.StoreForward,
		DHTMode:        dhtMode,
		BackgroundSync: time.Duration(cfg.BackgroundSyncMinutes) * time.Minute,
		PowerMode:      mode,
		MaxConns:       maxConns,
	}}, nil
}

// splitAddrs splits a list of addresses separated by spaces, commas or
// newlines.
func splitAddrs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
}

// Start opens the store and joins the network. It fails if the node is
// started already or closed.
func (n *Node) Start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.closed:
		return errClosed
	case n.node != nil:
		return errors.New("node is already started")
	}
	applyMemoryLimit(n.memLimitMiB)
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	cn, err := core.New(ctx, n.cfg)
	if err != nil {
		return readable(err)
	}
	n.node = cn
	if n.listener != nil {
		n.watch(n.listener)
	}
	return nil
}

// Close stops the node: it logs out, closes every connection and the
// store, and waits for the listener's last call to return; a listener
// method must therefore not call Close. Calls after Close fail. It is safe
// to call more than once.
func (n *Node) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	cn := n.node
	n.unwatch()
	n.mu.Unlock()
	if cn == nil {
		return nil
	}
	err := cn.Close()
	n.watchers.Wait()
	return readable(err)
}

var (
	errClosed     = errors.New("node is closed")
	errNotStarted = errors.New("node is not started: call start first")
)

// core returns the running core node.
func (n *Node) core() (*core.Node, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.closed:
		return nil, errClosed
	case n.node == nil:
		return nil, errNotStarted
	}
	return n.node, nil
}

// call runs fn on the core node with a bounded context and makes its error
// readable.
func (n *Node) call(fn func(ctx context.Context, cn *core.Node) error) error {
	cn, err := n.core()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	return readable(fn(ctx, cn))
}

// readable strips the package prefixes Go errors carry, which mean nothing
// to a user, and keeps the rest of the message.
func readable(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, p := range []string{"core: ", "store: ", "p2p: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		msg = "the network did not answer in time: " + msg
	}
	return errors.New(msg)
}

// PeerID returns the device's peer ID, or "" before Start.
func (n *Node) PeerID() string {
	cn, err := n.core()
	if err != nil {
		return ""
	}
	return cn.PeerID()
}

// Addrs returns the node's listen addresses, each ending in /p2p/<id>, one
// per line; "" before Start.
func (n *Node) Addrs() string {
	cn, err := n.core()
	if err != nil {
		return ""
	}
	return strings.Join(cn.Addrs(), "\n")
}

// Register creates an account on this device, claims its name in the
// network and logs in.
func (n *Node) Register(name, password string) (*User, error) {
	var u core.User
	err := n.call(func(ctx context.Context, cn *core.Node) (err error) {
		u, err = cn.Register(ctx, name, password)
		return err
	})
	if err != nil {
		return nil, err
	}
	return newUser(u), nil
}

// Login unlocks an account stored on this device and logs it in.
func (n *Node) Login(name, password string) (*User, error) {
	var u core.User
	err := n.call(func(ctx context.Context, cn *core.Node) (err error) {
		u, err = cn.Login(ctx, name, password)
		return err
	})
	if err != nil {
		return nil, err
	}
	return newUser(u), nil
}

// Logout logs the account out.
func (n *Node) Logout() error {
	return n.call(func(ctx context.Context, cn *core.Node) error { return cn.Logout(ctx) })
}

// Post publishes a post of the logged-in account.
func (n *Node) Post(text string) (*Post, error) {
	var p core.Post
	err := n.call(func(ctx context.Context, cn *core.Node) (err error) {
		p, err = cn.Post(ctx, text)
		return err
	})
	if err != nil {
		return nil, err
	}
	return newPost(p), nil
}

// Follow follows the user with this name.
func (n *Node) Follow(name string) error {
	return n.call(func(ctx context.Context, cn *core.Node) error {
		_, err := cn.Follow(ctx, name)
		return err
	})
}

// Unfollow stops following the user with this name.
func (n *Node) Unfollow(name string) error {
	return n.call(func(ctx context.Context, cn *core.Node) error { return cn.Unfollow(ctx, name) })
}

// Feed returns a page of the merged feed of the followed users and the
// account itself, newest first. Pass "" for the first page and the page's
// NextCursor for the next; limit ≤ 0 means 50.
func (n *Node) Feed(cursor string, limit int) (*FeedPage, error) {
	var pg core.Page
	err := n.call(func(ctx context.Context, cn *core.Node) (err error) {
		pg, err = cn.Feed(ctx, cursor, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	return newFeedPage(pg), nil
}

// Timeline returns a page of one user's posts, newest first, fetching them
// from the network if this device does not hold them.
func (n *Node) Timeline(name, cursor string, limit int) (*FeedPage, error) {
	var pg core.Page
	err := n.call(func(ctx context.Context, cn *core.Node) (err error) {
		pg, err = cn.Timeline(ctx, name, cursor, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	return newFeedPage(pg), nil
}

// Following returns the users the account follows.
func (n *Node) Following() (*UserList, error) {
	var us []core.User
	err := n.call(func(ctx context.Context, cn *core.Node) (err error) {
		us, err = cn.Following(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return newUserList(us), nil
}

// Followers returns the users who follow the account.
func (n *Node) Followers() (*UserList, error) {
	var us []core.User
	err := n.call(func(ctx context.Context, cn *core.Node) (err error) {
		us, err = cn.Followers(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return newUserList(us), nil
}

// Notifications returns up to limit notifications, newest first (limit ≤ 0
// means 50), and marks them read if markRead.
func (n *Node) Notifications(limit int, markRead bool) (*NotificationList, error) {
	var ns []core.Notification
	err := n.call(func(ctx context.Context, cn *core.Node) (err error) {
		ns, err = cn.Notifications(ctx, limit, markRead)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &NotificationList{items: ns}, nil
}

// Status describes the node and the logged-in account.
func (n *Node) Status() (*Status, error) {
	var st core.Status
	err := n.call(func(ctx context.Context, cn *core.Node) (err error) {
		st, err = cn.Status(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &Status{
		PeerID:      st.PeerID,
		Account:     st.Account,
		Peers:       st.Peers,
		Following:   st.Following,
		Followers:   st.Followers,
		Unread:      st.Unread,
		PowerMode:   int(st.Power),
		NetworkType: int(st.Network),
	}, nil
}

// SetPowerMode switches the node to PowerForeground, PowerBackground or
// PowerOff. It returns at once; the switch itself takes effect before it
// returns.
func (n *Node) SetPowerMode(mode int) error {
	m, err := powerMode(mode)
	if err != nil {
		return err
	}
	cn, err := n.core()
	if err != nil {
		return err
	}
	return readable(cn.SetPowerMode(m))
}

// SetNetworkType tells the node which network the device is on:
// NetworkWiFi, NetworkCellular or NetworkNone.
func (n *Node) SetNetworkType(t int) error {
	var nt core.NetworkType
	switch t {
	case NetworkWiFi, NetworkCellular, NetworkNone:
		nt = core.NetworkType(t)
	default:
		return fmt.Errorf("unknown network type %d", t)
	}
	cn, err := n.core()
	if err != nil {
		return err
	}
	return readable(cn.SetNetworkType(nt))
}

func powerMode(m int) (core.PowerMode, error) {
	switch m {
	case PowerForeground, PowerBackground, PowerOff:
		return core.PowerMode(m), nil
	}
	return 0, fmt.Errorf("unknown power mode %d", m)
}
