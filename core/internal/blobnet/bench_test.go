package blobnet

import (
	"context"
	"encoding/binary"
	"io"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rawProto is the baseline's protocol: benchmarks only, outside the
// /skein/ namespace as the other benchmarks' are (/skein-bench/echo/1).
const rawProto = "/skein-bench/raw/1"

// rawServe writes the requested number of bytes of data in 256 KiB writes.
func rawServe(data []byte) network.StreamHandler {
	return func(st network.Stream) {
		defer st.Close()
		var n [8]byte
		if _, err := io.ReadFull(st, n[:]); err != nil {
			st.Reset()
			return
		}
		left := int(binary.BigEndian.Uint64(n[:]))
		for off := 0; left > 0; {
			k := min(left, blob.PieceSize, len(data)-off)
			if _, err := st.Write(data[off : off+k]); err != nil {
				return
			}
			left -= k
			off = (off + k) % len(data)
		}
	}
}

// BenchmarkThroughput moves 128 MiB (two blobs of 64 MiB; 16 MiB under
// -short) from one provider over loopback TCP, and the same bytes over a
// raw libp2p stream between the same hosts, in the same run.
func BenchmarkThroughput(b *testing.B) {
	size := blob.MaxSize
	blobs := 2
	if testing.Short() {
		size, blobs = 16<<20, 1
	}
	total := size * blobs
	p := newProvider(b, ServerLimits{})
	type one struct {
		data []byte
		root blob.Root
		ob   []byte
	}
	var bs []one
	for i := range blobs {
		data, root, ob := makeBlob(b, size, uint64(1000+i))
		p.src.add(data, root, ob, nil)
		bs = append(bs, one{data, root, ob})
	}
	p.h.SetStreamHandler(rawProto, rawServe(bs[0].data))
	h, c := newClient(b, p)
	if err := h.Connect(context.Background(), peer.AddrInfo{ID: p.h.ID(), Addrs: p.h.Addrs()}); err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, size)
	// Pre-faulted destinations for both, as a store writing into a file
	// in the page cache would have.
	bufs := make([][]byte, blobs)
	for i := range bufs {
		bufs[i] = make([]byte, size)
		copy(bufs[i], bs[i].data)
	}
	copy(dst, bs[0].data)
	var rawWall, rawCPU, netWall, netCPU, trustCPU time.Duration
	b.ResetTimer()
	for range b.N {
		// Raw stream.
		t0, c0 := time.Now(), cpuTime(b)
		st, err := h.NewStream(context.Background(), p.h.ID(), rawProto)
		if err != nil {
			b.Fatal(err)
		}
		st.Write(binary.BigEndian.AppendUint64(nil, uint64(total)))
		buf := make([]byte, blob.PieceSize)
		for got := 0; got < total; {
			k, err := st.Read(buf)
			if err != nil {
				b.Fatal(err)
			}
			copy(dst[got%size:], buf[:k])
			got += k
		}
		st.Close()
		rawWall += time.Since(t0)
		rawCPU += cpuTime(b) - c0

		// blobnet, verifying as it must, then trusting the bytes (the
		// cost of the protocol alone).
		for k, trust := range []bool{false, true} {
			sinks := make([]*memSink, blobs)
			for i := range sinks {
				sinks[i] = newSink(bs[i].root, 0)
				sinks[i].size, sinks[i].data, sinks[i].trust = uint64(size), bufs[i], trust
				sinks[i].groups = make([]bool, (size+blob.GroupSize-1)/blob.GroupSize)
				sinks[i].written = blob.NewBitfield(blob.Pieces(uint64(size)))
			}
			t0, c0 = time.Now(), cpuTime(b)
			for i, x := range bs {
				if err := c.Get(context.Background(), Fetch{Root: x.root, Size: uint64(size), Sink: sinks[i], Providers: []peer.ID{p.h.ID()}}); err != nil {
					b.Fatal(err)
				}
			}
			if k == 0 {
				netWall += time.Since(t0)
				netCPU += cpuTime(b) - c0
			} else {
				trustCPU += cpuTime(b) - c0
			}
		}
	}
	b.StopTimer()
	mib := float64(total) / (1 << 20) * float64(b.N)
	mb := float64(total) / 1e6 * float64(b.N)
	b.ReportMetric(mb/netWall.Seconds(), "blob-MB/s")
	b.ReportMetric(mb/rawWall.Seconds(), "raw-MB/s")
	b.ReportMetric(rawWall.Seconds()/netWall.Seconds(), "speed-ratio")
	b.ReportMetric(float64(netCPU.Milliseconds())/mib, "blob-cpu-ms/MiB")
	b.ReportMetric(float64(rawCPU.Milliseconds())/mib, "raw-cpu-ms/MiB")
	b.ReportMetric(float64(rawCPU)/float64(netCPU), "cpu-efficiency")
	b.ReportMetric(float64(trustCPU.Milliseconds())/mib, "noverify-cpu-ms/MiB")
	b.SetBytes(0)
}

// rateR is the uplink cap of each provider in the multi-source benchmarks.
const rateR = 8_000_000

// multi downloads one blob of size from providers capped at rates and
// returns the rate in B/s and the duplicate bytes.
func multi(b *testing.B, size int, rates []int64) (float64, int64, []int) {
	data, root, ob := makeBlob(b, size, 77)
	var ps []*provider
	for _, r := range rates {
		p := newProvider(b, ServerLimits{Rate: r})
		p.src.add(data, root, ob, nil)
		ps = append(ps, p)
	}
	h, c := newClient(b, ps...)
	for _, p := range ps {
		if err := h.Connect(context.Background(), peer.AddrInfo{ID: p.h.ID(), Addrs: p.h.Addrs()}); err != nil {
			b.Fatal(err)
		}
	}
	var pr lastProgress
	sink := newSink(root, size)
	t0 := time.Now()
	if err := c.Get(context.Background(), Fetch{Root: root, Size: uint64(size), Sink: sink, Providers: ids(ps...), Progress: pr.set}); err != nil {
		b.Fatal(err)
	}
	d := time.Since(t0)
	var served []int
	for _, p := range ps {
		served = append(served, p.src.readCount())
	}
	for _, p := range ps {
		p.srv.Close()
		p.h.Close()
	}
	c.Close()
	h.Close()
	return float64(size) / d.Seconds(), pr.get().Duplicate, served
}

// BenchmarkProviders downloads 16 MiB (8 MiB under -short) from k = 1 to 4
// providers each capped at 8 MB/s, against the ideal k × 8 MB/s.
func BenchmarkProviders(b *testing.B) {
	size := 16 << 20
	if testing.Short() {
		size = 8 << 20
	}
	for k := 1; k <= 4; k++ {
		b.Run(string(rune('0'+k)), func(b *testing.B) {
			rates := make([]int64, k)
			for i := range rates {
				rates[i] = rateR
			}
			var sum float64
			var dup int64
			for range b.N {
				r, d, _ := multi(b, size, rates)
				sum += r
				dup += d
			}
			rate := sum / float64(b.N)
			b.ReportMetric(rate/1e6, "MB/s")
			b.ReportMetric(rate/rateR, "speed-up")
			b.ReportMetric(rate/(float64(k)*rateR), "of-k·R")
			b.ReportMetric(100*float64(dup)/float64(b.N)/float64(size), "dup-%")
		})
	}
}

// BenchmarkSlowProvider downloads 16 MiB (8 MiB under -short) from
// providers at R, R and R/10 (R = 8 MB/s): the share of their total rate
// reached, and the duplicate bytes.
func BenchmarkSlowProvider(b *testing.B) {
	size := 16 << 20
	if testing.Short() {
		size = 8 << 20
	}
	rates := []int64{rateR, rateR, rateR / 10}
	var sum float64
	var dup int64
	for range b.N {
		r, d, _ := multi(b, size, rates)
		sum += r
		dup += d
	}
	rate := sum / float64(b.N)
	b.ReportMetric(rate/1e6, "MB/s")
	b.ReportMetric(100*rate/(2.1*rateR), "share-%")
	b.ReportMetric(100*float64(dup)/float64(b.N)/float64(size), "dup-%")
}

// firstSink records when the first verified chunk was written.
type firstSink struct {
	*memSink
	once  sync.Once
	first chan struct{}
}

func (s *firstSink) WriteChunks(off uint64, data []byte) error {
	err := s.memSink.WriteChunks(off, data)
	if err == nil {
		s.once.Do(func() { close(s.first) })
	}
	return err
}

// BenchmarkFirstBytes measures the time from Get to the first verified
// chunk of a 4 MiB blob from a provider capped at 1 MB/s (connection
// already open; HAVE?, OUTBOARD? and the first GET included).
func BenchmarkFirstBytes(b *testing.B) {
	const size = 4 << 20
	data, root, ob := makeBlob(b, size, 78)
	var total time.Duration
	for range b.N {
		p := newProvider(b, ServerLimits{Rate: 1_000_000})
		p.src.add(data, root, ob, nil)
		h, c := newClient(b, p)
		if err := h.Connect(context.Background(), peer.AddrInfo{ID: p.h.ID(), Addrs: p.h.Addrs()}); err != nil {
			b.Fatal(err)
		}
		sink := &firstSink{memSink: newSink(root, size), first: make(chan struct{})}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		t0 := time.Now()
		go func() {
			done <- c.Get(ctx, Fetch{Root: root, Size: size, Sink: sink, Providers: []peer.ID{p.h.ID()}})
		}()
		<-sink.first
		total += time.Since(t0)
		cancel()
		<-done
		p.srv.Close()
		c.Close()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms-to-first-chunk")
}
