package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/transport"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// memNet is an in-memory network for simulations of hundreds of nodes in
// one process: a libp2p transport that stands in for TCP, on addresses
// /ip4/<ip>/tcp/<port> that exist only in this memNet. Only the bytes'
// carrier changes: each connection is still upgraded by the host's own
// upgrader (Noise, yamux), admitted by its resource manager and gater,
// counted by its swarm's metrics and trimmed by its connection manager, so
// the same Skein and libp2p code runs above it as over TCP, without a file
// descriptor per connection end. (go-libp2p's mocknet would bypass the
// swarm, and with it the resource manager, the gater and the metrics.)
type memNet struct {
	mu        sync.Mutex
	listeners map[netip.AddrPort]*memListener
	nextPort  uint16 // ephemeral ports of dialling ends
	// conns counts the connections ever made, for the report.
	conns int
}

func newMemNet() *memNet {
	return &memNet{listeners: make(map[netip.AddrPort]*memListener), nextPort: 10000}
}

// transports is p2p.SimHooks.Transports for a host on this network.
func (m *memNet) transports(up transport.Upgrader, rm network.ResourceManager, _ connmgr.ConnectionGater) ([]transport.Transport, error) {
	return []transport.Transport{&memTransport{net: m, up: up, rm: rm}}, nil
}

// memAddr parses /ip4/<ip>/tcp/<port>.
func memAddr(a ma.Multiaddr) (netip.AddrPort, bool) {
	na, err := manet.ToNetAddr(a)
	if err != nil {
		return netip.AddrPort{}, false
	}
	t, ok := na.(*net.TCPAddr)
	if !ok {
		return netip.AddrPort{}, false
	}
	return t.AddrPort(), true
}

func maOf(ap netip.AddrPort) ma.Multiaddr {
	a, err := manet.FromNetAddr(net.TCPAddrFromAddrPort(ap))
	if err != nil {
		panic(err)
	}
	return a
}

type memTransport struct {
	net *memNet
	up  transport.Upgrader
	rm  network.ResourceManager

	mu sync.Mutex
	ip netip.Addr // the listen address's: where this host's dials come from
}

var _ transport.Transport = (*memTransport)(nil)

func (t *memTransport) CanDial(a ma.Multiaddr) bool {
	_, ok := memAddr(a)
	return ok
}

func (t *memTransport) Protocols() []int { return []int{ma.P_TCP} }
func (t *memTransport) Proxy() bool      { return false }
func (t *memTransport) String() string   { return "mem" }

func (t *memTransport) Listen(laddr ma.Multiaddr) (transport.Listener, error) {
	ap, ok := memAddr(laddr)
	if !ok || ap.Port() == 0 {
		return nil, fmt.Errorf("memnet: cannot listen on %s: a fixed /ip4/../tcp/.. address is needed", laddr)
	}
	t.mu.Lock()
	t.ip = ap.Addr()
	t.mu.Unlock()
	t.net.mu.Lock()
	defer t.net.mu.Unlock()
	if _, taken := t.net.listeners[ap]; taken {
		return nil, fmt.Errorf("memnet: %s: address in use", ap)
	}
	l := &memListener{net: t.net, addr: ap, ch: make(chan manet.Conn, 64), done: make(chan struct{})}
	t.net.listeners[ap] = l
	return t.up.UpgradeGatedMaListener(t, t.up.GateMaListener(l)), nil
}

func (t *memTransport) Dial(ctx context.Context, raddr ma.Multiaddr, p peer.ID) (transport.CapableConn, error) {
	ap, ok := memAddr(raddr)
	if !ok {
		return nil, fmt.Errorf("memnet: cannot dial %s", raddr)
	}
	scope, err := t.rm.OpenConnection(network.DirOutbound, true, raddr)
	if err != nil {
		return nil, err
	}
	c, err := t.dial(ctx, ap, p, scope)
	if err != nil {
		scope.Done()
		return nil, err
	}
	return c, nil
}

func (t *memTransport) dial(ctx context.Context, ap netip.AddrPort, p peer.ID, scope network.ConnManagementScope) (transport.CapableConn, error) {
	if err := scope.SetPeer(p); err != nil {
		return nil, err
	}
	t.mu.Lock()
	ip := t.ip
	t.mu.Unlock()
	if !ip.IsValid() {
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	t.net.mu.Lock()
	l := t.net.listeners[ap]
	t.net.nextPort++
	if t.net.nextPort < 10000 {
		t.net.nextPort = 10000
	}
	local := netip.AddrPortFrom(ip, t.net.nextPort)
	t.net.conns++
	t.net.mu.Unlock()
	if l == nil {
		return nil, fmt.Errorf("memnet: dial %s: connection refused", ap)
	}
	a, b := memPipe(local, ap)
	select {
	case l.ch <- b:
	case <-l.done:
		return nil, fmt.Errorf("memnet: dial %s: connection refused", ap)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return t.up.Upgrade(ctx, t, a, network.DirOutbound, p, scope)
}

// memListener is a manet.Listener whose connections come from dials on
// its memNet.
type memListener struct {
	net  *memNet
	addr netip.AddrPort
	ch   chan manet.Conn
	once sync.Once
	done chan struct{}
}

func (l *memListener) Accept() (manet.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *memListener) Close() error {
	l.once.Do(func() {
		l.net.mu.Lock()
		if l.net.listeners[l.addr] == l {
			delete(l.net.listeners, l.addr)
		}
		l.net.mu.Unlock()
		close(l.done)
		for {
			select {
			case c := <-l.ch:
				c.Close()
			default:
				return
			}
		}
	})
	return nil
}

func (l *memListener) Addr() net.Addr            { return net.TCPAddrFromAddrPort(l.addr) }
func (l *memListener) Multiaddr() ma.Multiaddr   { return maOf(l.addr) }
func (c *memConn) LocalMultiaddr() ma.Multiaddr  { return c.localMA }
func (c *memConn) RemoteMultiaddr() ma.Multiaddr { return c.remoteMA }
func (c *memConn) LocalAddr() net.Addr           { return net.TCPAddrFromAddrPort(c.local) }
func (c *memConn) RemoteAddr() net.Addr          { return net.TCPAddrFromAddrPort(c.remote) }

// memPipe returns the two ends of a connection from local to remote. Unlike
// net.Pipe, a write never waits for the reader: each direction buffers what
// is written (yamux's flow control bounds it), as a socket's buffers do,
// so that two ends that write before they read do not deadlock.
func memPipe(local, remote netip.AddrPort) (*memConn, *memConn) {
	ab, ba := newMemBuf(), newMemBuf()
	lm, rm := maOf(local), maOf(remote)
	a := &memConn{local: local, remote: remote, localMA: lm, remoteMA: rm, in: ba, out: ab, closed: make(chan struct{})}
	b := &memConn{local: remote, remote: local, localMA: rm, remoteMA: lm, in: ab, out: ba, closed: make(chan struct{})}
	return a, b
}

// memBuf is one direction of a memConn.
type memBuf struct {
	mu     sync.Mutex
	data   []byte
	eof    bool          // the writer closed
	gone   bool          // the reader closed
	notify chan struct{} // 1-buffered: data, eof or a deadline change
}

func newMemBuf() *memBuf { return &memBuf{notify: make(chan struct{}, 1)} }

func (b *memBuf) wake() {
	select {
	case b.notify <- struct{}{}:
	default:
	}
}

type memConn struct {
	local, remote netip.AddrPort
	// The addresses as multiaddrs, made once: the gate and the swarm ask
	// for them on every stream.
	localMA, remoteMA ma.Multiaddr
	in, out           *memBuf

	dmu          sync.Mutex
	readDeadline time.Time

	closeOnce sync.Once
	closed    chan struct{}
}

var errMemTimeout = fmt.Errorf("memnet: i/o timeout: %w", os.ErrDeadlineExceeded)

func (c *memConn) Read(p []byte) (int, error) {
	for {
		select {
		case <-c.closed:
			return 0, net.ErrClosed
		default:
		}
		b := c.in
		b.mu.Lock()
		if len(b.data) > 0 {
			n := copy(p, b.data)
			b.data = b.data[n:]
			if len(b.data) == 0 {
				b.data = nil // let a large buffer go
			}
			b.mu.Unlock()
			return n, nil
		}
		eof := b.eof
		b.mu.Unlock()
		if eof {
			return 0, io.EOF
		}
		c.dmu.Lock()
		dl := c.readDeadline
		c.dmu.Unlock()
		var tm *time.Timer
		var timeout <-chan time.Time
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return 0, errMemTimeout
			}
			tm = time.NewTimer(d)
			timeout = tm.C
		}
		select {
		case <-b.notify:
		case <-timeout:
		case <-c.closed:
		}
		if tm != nil {
			tm.Stop()
		}
	}
}

func (c *memConn) Write(p []byte) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	b := c.out
	b.mu.Lock()
	if b.gone || b.eof {
		b.mu.Unlock()
		return 0, errors.New("memnet: connection reset by peer")
	}
	b.data = append(b.data, p...)
	b.mu.Unlock()
	b.wake()
	return len(p), nil
}

func (c *memConn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.out.mu.Lock()
		c.out.eof = true
		c.out.mu.Unlock()
		c.out.wake()
		c.in.mu.Lock()
		c.in.gone = true
		c.in.data = nil
		c.in.mu.Unlock()
	})
	return nil
}

func (c *memConn) SetDeadline(t time.Time) error {
	return c.SetReadDeadline(t)
}

func (c *memConn) SetReadDeadline(t time.Time) error {
	c.dmu.Lock()
	c.readDeadline = t
	c.dmu.Unlock()
	c.in.wake()
	return nil
}

// SetWriteDeadline does nothing: a write never waits.
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }
