// Command simplot redraws the figures of saved simulation runs: it reads
// the JSON that `make sim` writes (sim.WriteResults, TestSim's -sim.out) and
// prints the runs' table, and writes their curves as SVG.
//
//	go run ./core/internal/sim/simplot -in sim-results.json -svg docs/sim-curves.svg [-md]
//
// With -idle, the file holds idle-cost runs (a JSON array of
// sim.IdleResult) and the curves are sim.IdleCurves.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/skein-p2p/skein/core/internal/sim"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "simplot:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("simplot", flag.ContinueOnError)
	in := fs.String("in", "", "JSON file of runs (required)")
	svg := fs.String("svg", "", "write the curves to this SVG file")
	md := fs.Bool("md", false, "print the table as Markdown instead of text")
	idle := fs.Bool("idle", false, "the file holds idle-cost runs (sim.IdleResult)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" {
		return errors.New("-in is required")
	}
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()

	var table sim.Table
	var curves []byte
	if *idle {
		var rs []sim.IdleResult
		if err := json.NewDecoder(io.LimitReader(f, 64<<20)).Decode(&rs); err != nil {
			return fmt.Errorf("%s: %w", *in, err)
		}
		table, curves = sim.IdleTable(rs), sim.IdleCurves(rs)
	} else {
		rs, err := sim.ReadResults(f)
		if err != nil {
			return fmt.Errorf("%s: %w", *in, err)
		}
		table, curves = sim.ResultsTable(rs), sim.Curves(rs)
	}
	if *md {
		fmt.Fprint(stdout, table.Markdown())
	} else {
		fmt.Fprint(stdout, table.Text())
	}
	if *svg != "" {
		if err := os.WriteFile(*svg, curves, 0o644); err != nil {
			return err
		}
	}
	return nil
}
