package store_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/store"
	"github.com/skein-p2p/skein/core/internal/store/kvtest"
)

func TestKV(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			kvtest.Test(t, func(t *testing.T) store.KV { return eng.open(t) })
		})
	}
	// The storage TestLevelDBFullDisk fills, while it has room.
	t.Run("leveldb on a disk that can fill", func(t *testing.T) {
		kvtest.Test(t, func(t *testing.T) store.KV {
			kv, _, _, _ := openFullDisk(t)
			return kv
		})
	})
}

// killChildEnv names the database directory to the child process of
// TestLevelDBKill.
const killChildEnv = "STORE_TEST_KILL_DIR"

const killBatchKeys = 10

// killChild writes numbered batches to the database in dir until it is
// killed, every other one synced, and prints the number of each synced
// batch once Commit returns.
func killChild(dir string) {
	kv, err := store.OpenLevelDB(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	n := 0
	it := kv.Find([]byte("batch/"), []byte("batch0"), true)
	if it.Next() {
		n, _ = strconv.Atoi(string(it.Key()[len("batch/") : len("batch/")+8]))
		n++
	}
	it.Close()
	value := bytes.Repeat([]byte("v"), 1000)
	deadline := time.Now().Add(time.Minute)
	for ; time.Now().Before(deadline); n++ {
		var b store.Batch
		for i := range killBatchKeys {
			b.Put(fmt.Appendf(nil, "batch/%08d/%d", n, i), value)
		}
		sync := n%2 == 1
		if err := kv.Commit(&b, sync); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if sync {
			fmt.Println(n)
		}
	}
	os.Exit(1)
}

// TestLevelDBKill kills a process while it writes and checks that the
// database opens afterwards with every synced batch and no partial batch.
func TestLevelDBKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	synced := -1
	for round := range 3 {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		for i := 0; i < 20*(round+1) && lines.Scan(); i++ {
			synced, _ = strconv.Atoi(lines.Text())
		}
		cmd.Process.Kill()
		cmd.Wait()

		kv, err := store.OpenLevelDB(dir)
		if err != nil {
			t.Fatalf("round %d: OpenLevelDB() after kill = %v", round, err)
		}
		counts := make(map[int]int)
		it := kv.Find([]byte("batch/"), []byte("batch0"), false)
		for it.Next() {
			n, _ := strconv.Atoi(string(it.Key()[len("batch/") : len("batch/")+8]))
			counts[n]++
		}
		if err := it.Close(); err != nil {
			t.Fatal(err)
		}
		if err := kv.Close(); err != nil {
			t.Fatal(err)
		}
		if len(counts) <= synced {
			t.Errorf("round %d: after kill, %d batches are stored, want at least %d (all synced ones)", round, len(counts), synced+1)
		}
		for n := range len(counts) {
			if counts[n] != killBatchKeys {
				t.Errorf("round %d: after kill, batch %d has %d keys, want %d", round, n, counts[n], killBatchKeys)
			}
		}
	}
}
