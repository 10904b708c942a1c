package core

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	dhtpb "github.com/libp2p/go-libp2p-kad-dht/pb"
	record "github.com/libp2p/go-libp2p-record"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"google.golang.org/protobuf/proto"

	"github.com/skein-p2p/skein/core/internal/names"
)

// The measurement of issue 10's flood, for the report and docs/SECURITY.md,
// not a test with a timed assertion: a hostile peer puts fresh-name records
// to a relay as fast as it can, and the relay's records held and memory are
// measured. The relay runs in a process of its own (this test binary, run
// again), so that its RSS is its own. Run it with
//
//	SKEIN_NAME_FLOOD=200000 go test -run '^TestNameFloodMeasure$' -v -timeout 30m ./core/
//
// SKEIN_NAME_FLOOD is the number of records; SKEIN_NAME_FLOOD_WORK (default
// 200) of them carry their proof of work, computed before the flood on
// every core, and the others a nonce of 0, as an attacker who skips the
// work sends them. SKEIN_NAME_FLOOD_STREAMS (default 32) streams send at
// once.

// nameFloodRelayEnv names the data directory to the relay process.
const nameFloodRelayEnv = "SKEIN_NAME_FLOOD_RELAY"

// TestNameFloodRelay is the relay process of TestNameFloodMeasure: it
// prints its address, then answers "stats" lines on stdin with the names
// it holds, until stdin ends.
func TestNameFloodRelay(t *testing.T) {
	dir := os.Getenv(nameFloodRelayEnv)
	if dir == "" {
		t.Skip("the relay process of TestNameFloodMeasure")
	}
	r, err := NewRelay(context.Background(), RelayConfig{DataDir: dir, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fmt.Printf("addr %s\n", r.Addrs()[0])
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		held, size := r.names.Len()
		fmt.Printf("names %d %d\n", held, size)
	}
}

func TestNameFloodMeasure(t *testing.T) {
	total, _ := strconv.Atoi(os.Getenv("SKEIN_NAME_FLOOD"))
	if total <= 0 {
		t.Skip("a measurement: set SKEIN_NAME_FLOOD to the number of records")
	}
	withWork := nameEnvInt("SKEIN_NAME_FLOOD_WORK", 200)
	streams := nameEnvInt("SKEIN_NAME_FLOOD_STREAMS", 32)
	withWork = min(withWork, total)

	cmd := exec.Command(os.Args[0], "-test.run=^TestNameFloodRelay$", "-test.v")
	cmd.Env = append(os.Environ(), nameFloodRelayEnv+"="+t.TempDir())
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	out := bufio.NewScanner(stdout)
	line := func(prefix string) string {
		for out.Scan() {
			if s, ok := strings.CutPrefix(out.Text(), prefix+" "); ok {
				return s
			}
		}
		t.Fatalf("the relay process ended before a %q line", prefix)
		return ""
	}
	addr, err := ma.NewMultiaddr(line("addr"))
	if err != nil {
		t.Fatal(err)
	}
	ai, err := peer.AddrInfoFromP2pAddr(addr)
	if err != nil {
		t.Fatal(err)
	}
	stats := func() (held int, size int64) {
		fmt.Fprintln(stdin, "stats")
		fmt.Sscan(line("names"), &held, &size)
		return held, size
	}
	rss := func() string { return nameProcStatus(t, cmd.Process.Pid) }
	time.Sleep(2 * time.Second) // let start-up settle
	t.Logf("relay before: %s", rss())

	// The records, made before the flood.
	start := time.Now()
	x := newNamePutter(t, "127.0.1.1", dht.ModeClient)
	recs := make([][]byte, total)
	nameOf := func(i int) string { return fmt.Sprintf("f%07d", i) }
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < total; i = int(next.Add(1)) - 1 {
				_, priv, _ := ed25519.GenerateKey(rand.Reader)
				name := nameOf(i)
				now := uint64(time.Now().UnixMilli())
				if i < withWork {
					recs[i] = nameForge(t, priv, name, now, now, x.ID())
				} else {
					recs[i] = nameRawRecord(priv, name, 0, now, x.ID())
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("made %d records (%d with work) in %v", total, withWork, time.Since(start).Round(time.Millisecond))

	ctx := context.Background()
	if err := x.Connect(ctx, *ai); err != nil {
		t.Fatal(err)
	}
	var accepted, refused atomic.Int64
	next.Store(0)
	start = time.Now()
	for range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s network.Stream
			for i := int(next.Add(1)) - 1; i < total; i = int(next.Add(1)) - 1 {
				if s == nil {
					var err error
					if s, err = x.NewStream(ctx, ai.ID, dhtProtocol); err != nil {
						refused.Add(1)
						continue
					}
				}
				if err := nameRawPut(s, nameOf(i), recs[i]); err != nil {
					s.Reset()
					s = nil
					refused.Add(1)
					continue
				}
				accepted.Add(1)
			}
			if s != nil {
				s.Close()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	held, size := stats()
	t.Logf("flood: %d records in %v (%.0f/s) from one peer: %d accepted, %d refused",
		total, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), accepted.Load(), refused.Load())
	t.Logf("relay after: %d names held (%d bytes); %s", held, size, rss())
}

func nameEnvInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil && n >= 0 {
		return n
	}
	return def
}

// nameProcStatus returns the resident and peak resident memory of process
// pid.
func nameProcStatus(t *testing.T, pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") || strings.HasPrefix(l, "VmHWM:") {
			parts = append(parts, strings.Join(strings.Fields(l), " "))
		}
	}
	return strings.Join(parts, ", ")
}

// nameRawRecord encodes and signs a name record (format 2, PROTOCOL.md)
// with whatever nonce it is given, as an attacker who skips the work does.
func nameRawRecord(priv ed25519.PrivateKey, name string, nonce, now uint64, device peer.ID) []byte {
	b := []byte{names.Version}
	b = append(b, priv.Public().(ed25519.PublicKey)...)
	for _, v := range []uint64{nonce, now, now, 0} { // nonce, Created, Updated, HeadSeq
		b = binary.BigEndian.AppendUint64(b, v)
	}
	b = append(b, byte(len(name)))
	b = append(b, name...)
	b = append(b, byte(len(device)))
	b = append(b, device...)
	b = append(b, 0) // no addresses
	return append(b, ed25519.Sign(priv, append([]byte(names.SigContext), b...))...)
}

// nameRawPut sends one PUT_VALUE on s, a DHT stream, and reads the answer:
// a server that refuses resets the stream.
func nameRawPut(s network.Stream, name string, value []byte) error {
	key := names.Key(name)
	m := dhtpb.NewMessage(dhtpb.Message_PUT_VALUE, []byte(key), 0)
	m.Record = record.MakePutRecord(key, value)
	b, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	s.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := s.Write(append(binary.AppendUvarint(nil, uint64(len(b))), b...)); err != nil {
		return err
	}
	br := bufio.NewReader(io.LimitReader(s, 1<<20))
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return err
	}
	_, err = io.CopyN(io.Discard, br, int64(n))
	return err
}
