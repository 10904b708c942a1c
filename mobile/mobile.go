package mobile

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/skein-p2p/skein/core"
)

// Limits an app may show or check before calling.
const (
	// MaxPostChars is the longest post or reply text, in Unicode code
	// points (a Java String's codePointCount, not its length()).
	MaxPostChars = core.MaxPostChars
	// DefaultPageSize is the page size of Feed and Timeline for a limit
	// of 0 or less.
	DefaultPageSize = core.DefaultPageSize
	// MaxPageSize is the largest page of Feed and Timeline: a larger
	// limit gets a page this size.
	MaxPageSize = core.MaxPageSize
	// EventQueueDepth is how many events a slow Listener may fall behind
	// before newer ones are dropped for it.
	EventQueueDepth = core.WatchBuffer
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
	// PowerMode is the mode the node starts in. Default (and null):
	// PowerForeground.
	PowerMode *PowerMode
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
	// MediaCacheMiB bounds, in MiB, the media fetched to be looked at
	// (others' images): 0 means the default, min(1 GiB, 10 % of the free
	// space when the node starts). The least recently used go first; the
	// account's own media, mirrored albums and downloads in progress are
	// never evicted.
	MediaCacheMiB int
	// ThumbCacheMiB bounds, in MiB, the thumbnails and avatars kept: 0
	// means the default, 64 MiB.
	ThumbCacheMiB int
}

// NewConfig returns a Config with the defaults filled in.
func NewConfig() *Config {
	return &Config{BackgroundSyncMinutes: 15, PowerMode: PowerForeground(), MemoryLimitMiB: DefaultMemoryLimitMiB}
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
		return nil, newError(CodeInvalidInput, "no configuration given (null): use Mobile.newConfig()")
	}
	if strings.TrimSpace(cfg.DataDir) == "" {
		return nil, newError(CodeInvalidInput, "no data directory configured: set Config.dataDir")
	}
	mode := core.PowerForeground
	if cfg.PowerMode != nil {
		var err error
		if mode, err = cfg.PowerMode.core("Config.powerMode"); err != nil {
			return nil, err
		}
	}
	if cfg.MediaCacheMiB < 0 || cfg.ThumbCacheMiB < 0 {
		return nil, newError(CodeInvalidInput, fmt.Sprintf("media budgets of %d and %d MiB: they must not be negative", cfg.MediaCacheMiB, cfg.ThumbCacheMiB))
	}
	if cfg.BackgroundSyncMinutes < 0 {
		return nil, newError(CodeInvalidInput, fmt.Sprintf("background sync interval of %d minutes: it must be positive", cfg.BackgroundSyncMinutes))
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
		Media: core.MediaLimits{
			CacheBudget: int64(cfg.MediaCacheMiB) << 20,
			ThumbBudget: int64(cfg.ThumbCacheMiB) << 20,
		},
	}}, nil
}

// splitAddrs splits a list of addresses separated by spaces, commas or
// newlines.
func splitAddrs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
}

// Start opens the store and joins the network. It fails with
// CodeDataDirInUse if another node has the data directory open, and with
// CodeStarted or CodeClosed if the node is started already or closed.
func (n *Node) Start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.closed:
		return errClosed
	case n.node != nil:
		return errStarted
	}
	applyMemoryLimit(n.memLimitMiB)
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	cn, err := core.New(ctx, n.cfg)
	if err != nil {
		return coded(err)
	}
	n.node = cn
	if n.listener != nil {
		n.watch(n.listener)
	}
	return nil
}

// Close stops the node: it logs out, closes every connection and the
// store, and waits for the listener's last call to return; a listener
// method must therefore not call Close. Calls after Close fail with
// CodeClosed. It is safe to call more than once.
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
	return coded(err)
}

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

// call runs fn on the core node with a bounded context and gives its error
// a code.
func (n *Node) call(fn func(ctx context.Context, cn *core.Node) error) error {
	return n.callID("", fn)
}

// callID is call with the request ID id in the context, if not "".
func (n *Node) callID(id string, fn func(ctx context.Context, cn *core.Node) error) error {
	cn, err := n.core()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if id != "" {
		ctx = core.WithRequestID(ctx, id)
	}
	return coded(fn(ctx, cn))
}

// get runs fn on the core node with a bounded context, and returns its
// result converted by conv, or its error with a code.
func get[T, R any](n *Node, fn func(ctx context.Context, cn *core.Node) (T, error), conv func(T) R) (R, error) {
	return getID(n, "", fn, conv)
}

// getID is get with the request ID id in the context, if not "".
func getID[T, R any](n *Node, id string, fn func(ctx context.Context, cn *core.Node) (T, error), conv func(T) R) (R, error) {
	var v T
	err := n.callID(id, func(ctx context.Context, cn *core.Node) (err error) {
		v, err = fn(ctx, cn)
		return err
	})
	if err != nil {
		var zero R
		return zero, err
	}
	return conv(v), nil
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
