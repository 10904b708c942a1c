// Command skein-demo tells the story of Skein with real skein processes on
// 127.0.0.1: the program behind "make demo".
//
//	skein-demo --skein PATH [--timeout D]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/skein-p2p/skein/cli/internal/demo"
)

func main() {
	skein := flag.String("skein", "", "path of the skein binary to run (required)")
	timeout := flag.Duration("timeout", 3*time.Minute, "give up after this long")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := demo.Run(ctx, demo.Config{Skein: *skein, Out: os.Stdout, Timeout: *timeout})
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "skein-demo: %v\n", err)
		os.Exit(1)
	}
}
